"""Refusals the registry explains to the user (message, code, and the clause or date)."""

from __future__ import annotations


class RegistryError(ValueError):
    def __init__(self, message: str, *, code: str = "", citation: str = "", detail: dict | None = None):
        super().__init__(message)
        self.message, self.code, self.citation, self.detail = message, code, citation, detail or {}

    def __str__(self) -> str:
        return f"{self.message}（{self.citation}）" if self.citation else self.message


class NotEligible(RegistryError):
    def __init__(self, decision: dict):
        refusals = [r for r in decision["reasons"] if r["effect"] == "refuse"]
        text = "；".join(f"{r['message']}（{r['citation']}）" for r in refusals)
        super().__init__(f"不符合补贴性培训条件：{text}", code="NOT_ELIGIBLE", detail=decision)
        self.decision = decision
