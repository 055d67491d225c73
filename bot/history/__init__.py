"""Ticket-history exports (Zendesk, Intercom, Freshdesk, Help Scout or our own columns) read into one
typed shape, so the commands that study past tickets never see a vendor's column names."""
