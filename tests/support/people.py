"""Made-up people for registrations: personal details as JSON bodies and as structs."""

from typing import Any

import msgspec

from broker.commands.register_worker import PersonalDetails


def personal_json(**overrides: Any) -> dict[str, Any]:
    """A registrant's personal details as a coordinator's request body carries them."""
    body: dict[str, Any] = {
        "name": "山田 花子",
        "kana": "やまだ はなこ",
        "birth_date": "1950-04-12",
        "phone": "090-1234-5678",
        "email": "hanako@example.jp",
        "address": "山口県美祢市大嶺町東分 1-2",
        "channels": ["email", "phone"],
        "consent": {
            "personal_data": True,
            "contact": ["email", "phone"],
            "recorded_on": "2026-09-01",
        },
        "experience": "梨の収穫 10年",
    }
    return body | overrides


def personal_details(**overrides: Any) -> PersonalDetails:
    """The same details as the broker's struct."""
    return msgspec.convert(personal_json(**overrides), PersonalDetails)
