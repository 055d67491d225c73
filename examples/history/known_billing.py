"""Sample tickets about money: categories the bundled intents cover."""

from __future__ import annotations

from examples.history.categories import PAID_PLANS, Category

BILLING = (
    Category(
        name="invoice_copy",
        count=36,
        judgment=False,
        subjects=(
            "Invoice request",
            "Copy of invoice",
            "Receipt needed",
            "Company name on invoice",
            "Invoices for {month}",
            "VAT number on invoices",
            "PO number",
            "Missing invoice",
        ),
        quick=(
            "where do I download our invoices?",
            "need the receipt for last months card payment",
            "can you put our PO number on the invoice",
            "invoice for {month} pls, accounts is chasing me",
            "how do i get all of this year's invoices in one go",
        ),
        asks=(
            "Our finance team needs a PDF copy of invoice {invoice} for the quarterly close.",
            "The invoices show my personal name instead of our company, {company}. Can that be changed, including old ones?",
            "Could invoices be emailed straight to accounts@{domain}? I keep forgetting to forward them.",
            "I need every invoice from this year for our auditors. Is there a bulk download?",
            "We have a new registered address since the summer. How do I update it on invoices?",
            "Our procurement team requires a PO number ({po}) on every invoice. Where can I add it?",
            "One invoice seems to be missing from the list, there's nothing for the seat change we made in {month}.",
            "I'm a member and can't see the billing page, but I need the receipt for an expense claim.",
        ),
        details=(
            "Our VAT number is {vat}.",
            "It's for the yearly payment we made in {month}.",
            "The auditors are in next week.",
            "Our accountant is very particular about the legal entity name.",
            "The amount was {amount}.",
        ),
        tags=("billing", "invoice"),
        replies=(
            "Thanks for reaching out! Owners and Admins can download every invoice under Settings > Billing > Invoices "
            "(Download PDF, or Receipt for card payments); Export all downloads a whole year at once.\n\nTo change the "
            "company name, address, tax ID or PO number, edit Settings > Billing > Billing details; it applies to future "
            "invoices. For one that's already issued, open it and click Request corrected invoice and our billing team "
            "reissues it within 2 business days. You can also add up to 5 invoice recipients there, e.g. your accounts "
            "address, and they'll get each new invoice by email.",
            "Happy to help with invoices. You'll find them all under Settings > Billing > Invoices: Download PDF for the "
            "invoice, Receipt for the card payment, or Export all for a full year.\n\nCompany name, address, tax ID and "
            "PO number are edited in Settings > Billing > Billing details and apply from the next invoice; for an invoice "
            "already issued, click Request corrected invoice on it. Add your finance team under Invoice recipients so "
            "every new invoice is emailed to them automatically.",
        ),
        plans=PAID_PLANS,
        team="billing",
    ),
    Category(
        name="refund_request",
        count=20,
        judgment=True,
        subjects=(
            "Refund request",
            "Renewed by mistake",
            "Please refund annual plan",
            "Refund for unused seats",
            "Money back?",
            "Refund - we switched tools",
        ),
        quick=(),
        asks=(
            "Our yearly plan renewed on {date} and we had already decided to move away. Could we get a refund of {amount}?",
            "I upgraded to the yearly Business plan by mistake, I meant monthly. Can you refund the difference?",
            "We removed {count} seats last week. Will we get that money back?",
            "We've been charged {amount} for a renewal nobody approved. The person who owned the account left. Please refund it.",
            "It's been about three weeks since our annual renewal, so I know it's past 14 days, but we really haven't used it.",
            "We're on monthly billing and forgot to cancel before the last charge went through. Can we have that month back?",
            "I already disputed the payment with my bank, but I'd rather sort it out with you directly. Can you refund it?",
        ),
        details=(
            "Invoice number is {invoice}.",
            "The card ends in {card}.",
            "We'd be happy to stay on the free plan.",
            "Our new tool is already live, so nobody has logged in since.",
            "I'm the workspace owner.",
        ),
        tags=("billing", "refund"),
        replies=(
            "Thanks for explaining what happened, {first}.",
            "Hi {first}, I've looked at the account and the charge you mentioned.",
            "Sorry for the frustration here, {first}, I understand an unexpected renewal is annoying.",
            "Thanks for your patience, {first}; I checked this with our billing lead before replying.",
        ),
        reply_middles=(
            "Your renewal of {amount} on {date} is within our 14-day window, so I've approved a full refund to the card "
            "ending {card}. The workspace moves to the Free plan today.",
            "The renewal is outside the 14-day window, but as nobody has signed in since, we've made an exception and "
            "refunded {amount}. You'll see the credit note under Settings > Billing > Invoices.",
            "Monthly charges aren't refundable under our policy, but I've cancelled the subscription so there won't be "
            "another charge, and I've added a one-off credit of {small_amount} as a gesture.",
            "Removed seats aren't refunded; the unused time is credited to your next invoice instead. I can see the "
            "credit of {small_amount} already waiting on the account.",
            "Because a chargeback is open with your bank for the same payment, we can't also refund it from our side. "
            "Once the bank closes the case, let me know and I'll check where things stand.",
            "I've switched you from yearly to monthly billing and refunded the difference of {amount}, less this month.",
        ),
        answers=(0, 5, 3, 0, 1, 2, 4),
        reply_closers=(
            "Refunds usually take 5-10 business days to show on your statement.",
            "You'll get a credit note by email shortly.",
            "Let me know if anything about the workspace needs sorting out before the change.",
            "If you have questions about the credit note, just reply here.",
        ),
        plans=PAID_PLANS,
        team="billing",
        no_reply=0.0,
    ),
    Category(
        name="billing_dispute",
        count=18,
        judgment=True,
        subjects=(
            "Charged twice",
            "Wrong amount charged",
            "Charged after cancelling",
            "Unexpected charge on our card",
            "Dispute invoice {invoice}",
            "Billing error",
        ),
        quick=(),
        asks=(
            "We were charged {amount} twice on {date}. Both show on our card statement.",
            "I cancelled our subscription last month and we've just been charged again.",
            "The invoice for {month} is much higher than our plan. We have {seats} users, not the number on the invoice.",
            "There's a charge of {small_amount} on our card that I can't match to anything in the billing page.",
            "Our invoice added VAT even though our tax ID has been on file since we signed up.",
            "We were billed for {count} extra seats but nobody was added. Who added them?",
            "We cancelled back in the summer, I'm certain of it, but the charges keep coming every month.",
        ),
        details=(
            "Card ending {card}.",
            "I have the cancellation confirmation email if you need it.",
            "Our finance team wants this resolved before month end.",
            "Please don't make me go to the bank for this.",
            "The references on the statement are different for the two charges.",
        ),
        tags=("billing", "dispute"),
        replies=(
            "Thanks for flagging this, {first}, and sorry for the worry.",
            "Hi {first}, I've gone through the charges on your account line by line.",
            "Thanks for sending the statement details, {first}; that made it quick to trace.",
        ),
        reply_middles=(
            "You're right: the payment on {date} went through twice because of a timeout at our payment provider. I've "
            "refunded the duplicate {amount} to the card ending {card}.",
            "The second charge is a prorated seat charge: {count} members were added on {date} by one of your admins, "
            "which creates a separate smaller invoice. It isn't a duplicate, but I've sent you the breakdown.",
            "Your cancellation was saved but the renewal had already been processed a few hours earlier. I've refunded "
            "{amount} and confirmed the cancellation for the end of the period.",
            "The invoice counts every Owner, Admin and Member at the renewal date, including {count} people who were "
            "invited but never signed in. Guests are free. I've removed the pending invitations and credited {small_amount}.",
            "The {small_amount} is a card authorisation from when the card was updated. It drops off within a few days "
            "and is never collected.",
            "VAT was added because the tax ID was entered after the invoice was issued. I've reissued invoice {invoice} "
            "without VAT and credited the difference.",
            "I can't find a cancellation on record for the workspace; the plan page still showed an active subscription "
            "on {date}. I've escalated this to our billing lead to review the history with you.",
        ),
        answers=(0, 2, 3, 4, 5, 1, 6),
        reply_closers=(
            "You'll receive a credit note by email, and the refund shows within 5-10 business days.",
            "Please let us know before opening a chargeback; those can pause the workspace while they're open.",
            "I'll follow up once the billing lead has reviewed it, at the latest within 2 business days.",
            "Reply here if the numbers still don't match your statement.",
        ),
        plans=PAID_PLANS,
        team="billing",
        no_reply=0.0,
    ),
    Category(
        name="plan_change",
        count=22,
        judgment=False,
        subjects=(
            "Upgrade to Business",
            "Switch to yearly billing",
            "Downgrade plan",
            "Plan comparison",
            "Change plan",
            "Monthly to annual",
        ),
        quick=(
            "how do i switch us to yearly billing",
            "whats the difference between team and business",
            "want to go from business back to team",
        ),
        asks=(
            "We'd like to move from Team to Business for the SSO features. How is the price difference worked out?",
            "Can we switch from monthly to yearly now, or do we have to wait for the renewal?",
            "We want to downgrade to Team from next month. What do we lose?",
            "Is it possible to upgrade only some of our users to Business?",
            "The Change plan button isn't showing for me. I'm an admin in our workspace.",
            "We're about to hire quickly; should we go yearly now or wait until we know our headcount?",
        ),
        details=(
            "We're {seats} people at the moment.",
            "Budget for next year is being approved this week.",
            "We mainly need the higher API limit.",
            "Our owner is on leave so I'm doing this as an admin.",
        ),
        tags=("billing", "plan"),
        replies=(
            "Thanks for reaching out! Owners and Admins can change the plan under Settings > Billing > Plan > Change plan. "
            "Upgrades apply immediately, and moving from Team to Business charges the prorated difference for the rest of "
            "your current period. Switch to yearly on the same page: you pay the yearly price (20% less than monthly) "
            "minus a credit for the unused part of this month.\n\nThe plan applies to the whole workspace, so every paid "
            "seat is on the same plan. Downgrades take effect at the end of the current period; Compare plans on that "
            "page shows what changes.",
        ),
        plans=(0.25, 0.45, 0.25, 0.05),
        team="billing",
    ),
    Category(
        name="cancel_subscription",
        count=18,
        judgment=False,
        subjects=("Cancel subscription", "Cancellation", "Close our paid plan", "How do I cancel?", "Stop billing"),
        quick=("how do i cancel our subscription", "cancel button isnt there"),
        asks=(
            "We're moving to another tool and want to cancel at the end of this billing period.",
            "Please cancel our subscription. We'll keep using the free plan for a couple of small projects.",
            "I can't find where to cancel. I'm an admin but the button isn't there.",
            "If we cancel, what happens to our data? We may come back next year.",
            "The company is closing down, so we need to stop all payments for Orbitask.",
        ),
        details=(
            "Thanks for everything, it's just budget cuts.",
            "We're over the free plan limits, I think.",
            "Please confirm in writing once it's done.",
        ),
        tags=("billing", "cancellation"),
        replies=(
            "Sorry to see you go! The workspace Owner can cancel under Settings > Billing > Plan > Cancel subscription. "
            "You keep paid features until the end of the period you've paid for, then the workspace moves to Free (up to "
            "5 users and 3 active projects); nothing is deleted. You'll get a confirmation email, which is your proof of "
            "cancellation.\n\nIf you're over the Free limits the workspace becomes read-only until you archive projects or "
            "deactivate users, so it's worth exporting anything you need first. You can resume any time before the end "
            "date from the same page.",
        ),
        plans=PAID_PLANS,
        team="billing",
    ),
)
