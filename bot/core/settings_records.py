"""Runtime settings changed by admins, and the settings version every bot process watches.

A mixin of `ConversationStore` (it only needs `session()`): changes and reload announcements bump one
version row in the same transaction, so a process that sees the version move re-reads everything.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.storage.tables import RuntimeSetting, SettingsVersion, utcnow


class SettingsRecords:
    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def settings(self) -> dict[str, str]:
        with self.session() as session:
            return {s.key: s.value for s in session.exec(select(RuntimeSetting)).all()}

    def set_setting(self, key: str, value: str, by: str) -> int:
        """Store an admin change and bump the settings version in the same transaction; returns the version."""
        with self.session() as session:
            setting = session.get(RuntimeSetting, key) or RuntimeSetting(key=key, value=value, updated_by=by)
            setting.value, setting.updated_by, setting.updated_at = value, by, utcnow()
            session.add(setting)
            version = self._bump(session)
            session.commit()
            return version

    def announce_reload(self, what: Literal["kb", "model"]) -> int:
        """Tell every process to reload the knowledge base or the model; returns the new version."""
        with self.session() as session:
            version = self._bump(session, what)
            session.commit()
            return version

    @staticmethod
    def _bump(session: Session, reload: str | None = None) -> int:
        values: dict[str, object] = {"version": SettingsVersion.version + 1}
        if reload is not None:
            column = "kb_reloads" if reload == "kb" else "model_reloads"
            values[column] = getattr(SettingsVersion, column) + 1
        session.execute(update(SettingsVersion).where(col(SettingsVersion.id) == 1).values(**values))
        return session.exec(select(SettingsVersion.version).where(SettingsVersion.id == 1)).one()

    def settings_version(self) -> SettingsVersion:
        with self.session() as session:
            return session.exec(select(SettingsVersion).where(SettingsVersion.id == 1)).one()
