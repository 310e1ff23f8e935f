"""EX502 polly-voice-engine: ``pollyVoiceId`` with an engine other than polly (warning).

``pollyVoiceId`` names an Amazon Polly voice; with ``preferredTTSEngine="googletts"``
it has no effect.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX502",
    name="polly-voice-engine",
    severity="warning",
    summary="pollyVoiceId with an engine other than polly",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><Say preferredTTSEngine="googletts" pollyVoiceId="Aditi">Hi</Say></Flow>',
    good='<Flow><Say preferredTTSEngine="polly" pollyVoiceId="Aditi">Hi</Say></Flow>',
)


def message(engine: str) -> str:
    return f'pollyVoiceId has no effect with preferredTTSEngine="{engine}"'
