"""Who may do what: admin commands for configured admin ids; agent actions for configured agent ids
or, when none are configured, for members of the private agents' channel. Either way an agent action
must also come from that channel (`Place.agents_room`, checked in bot.core.agent_desk): being listed
as an agent never lets a DM or a customer channel act on tickets."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.events import Person


@dataclass(frozen=True)
class Access:
    admins: frozenset[str] = frozenset()  # "platform:user_id"
    agents: frozenset[str] = frozenset()  # empty: every member of the agents' channel

    def is_admin(self, person: Person) -> bool:
        return person.key in self.admins

    def is_agent(self, person: Person) -> bool:
        return not self.agents or person.key in self.agents or self.is_admin(person)
