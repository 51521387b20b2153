"""``email``: the message as a plain-text mail through the SMTP server in settings
(``NEWSRADAR_SMTP_HOST``/``_PORT``/``_FROM``/``_STARTTLS``/``_USERNAME``/``_PASSWORD``).

Option ``to``: one address or several separated by commas or semicolons.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from processors.notify.channels.base import Channel, DeliveryError, PermanentDeliveryError
from processors.notify.message import Message


def recipients(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class EmailChannel(Channel):
    name = "email"
    required_options = frozenset({"to"})

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        problems = super().check_options(options)
        bad = [r for r in recipients(options.get("to", "")) if "@" not in r]
        if bad:
            problems.append(f"email: not an address: {', '.join(bad)}")
        return problems

    def compose(self, message: Message, options: Mapping[str, str]) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_from
        mail["To"] = ", ".join(recipients(options["to"]))
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
        mail["Message-ID"] = make_msgid(domain="newsradar")
        mail["X-Newsradar-Subscription"] = message.subscription_id
        mail.set_content(message.text)
        return mail

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        mail = self.compose(message, options)
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout_s) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
                smtp.send_message(mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise PermanentDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentDeliveryError(f"SMTP authentication failed: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


CHANNEL = EmailChannel
