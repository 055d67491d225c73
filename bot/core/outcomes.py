"""What the bot did with a customer turn, as stored in `Decision.outcome`."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    ANSWERED = "answered"  # a knowledge-base answer went to the customer
    ACTION_OK = "action_ok"  # an action ran for the customer
    DRAFTED = "drafted"  # an assisted-tier draft waits for an agent
    CLARIFIED = "clarified"  # the bot asked what the customer meant
    SMALLTALK = "smalltalk"  # greeting or thanks
    HANDED_OFF = "handed_off"  # a ticket went to the agents' channel
    RELAYED = "relayed"  # the conversation is with an agent: passed on, no bot decision
    ANSWER_REJECTED = "answer_rejected"  # the customer pressed "not quite" on an answer
    UNANSWERED = "unanswered"  # no good answer and the no_answer trigger is off: the bot said so


ANSWERING = frozenset({Outcome.ANSWERED, Outcome.ACTION_OK, Outcome.DRAFTED})  # the customer got (or will get) an answer
