"""Sending: SMTP servers that refuse or time out are retried with backoff, then logged as
failed; the worker never sees the exception."""

import smtplib

import pytest
from celery.exceptions import Retry
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from reports import mail
from reports.models import Kind, SentMessage
from reports.tasks import (
    SEND_ATTEMPTS,
    SEND_BACKOFF,
    SWEEP_AFTER,
    message_send_task,
    messages_retry_task,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    calls = 0

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise smtplib.SMTPConnectError(421, "Service not available")


class SilentBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise TimeoutError("timed out")


def queued(email="someone@example.nhs.uk"):
    user = UserFactory(email=email)
    return mail.message_create(
        kind=Kind.DIGEST, key=f"k{user.pk}", user=user, subject="Digest", body="Hello"
    )


def test_a_refused_send_is_marked_for_retry_then_failed(settings):
    settings.EMAIL_BACKEND = "tests.reports.test_mail.RefusingBackend"
    message = queued()
    assert mail.message_send(message_id=message.pk, max_attempts=2) == 1
    message.refresh_from_db()
    assert message.status == SentMessage.Status.RETRYING and message.attempts == 1
    assert message.error == "SMTPConnectError: (421, 'Service not available') (will retry)"
    assert mail.message_send(message_id=message.pk, max_attempts=2) is None
    message.refresh_from_db()
    assert message.status == SentMessage.Status.FAILED and message.attempts == 2


def test_a_timeout_is_retried_too(settings):
    settings.EMAIL_BACKEND = "tests.reports.test_mail.SilentBackend"
    message = queued()
    assert mail.message_send(message_id=message.pk, max_attempts=6) == 1
    message.refresh_from_db()
    assert message.error.startswith("TimeoutError: timed out")


def test_without_a_worker_a_failed_send_waits_for_the_sweep_and_never_raises(settings):
    settings.EMAIL_BACKEND = "tests.reports.test_mail.RefusingBackend"
    RefusingBackend.calls = 0
    message = queued()
    message_send_task.delay(message.pk)  # eager: one try, no sleeping in the request
    message.refresh_from_db()
    assert (RefusingBackend.calls, message.status) == (1, SentMessage.Status.RETRYING)
    assert messages_retry_task() == 0  # tried just now: not yet
    for _ in range(SEND_ATTEMPTS):
        SentMessage.objects.filter(pk=message.pk).update(tried_at=timezone.now() - SWEEP_AFTER)
        messages_retry_task()
    message.refresh_from_db()
    assert RefusingBackend.calls == SEND_ATTEMPTS
    assert message.status == SentMessage.Status.FAILED and message.attempts == SEND_ATTEMPTS


def test_with_a_worker_the_task_retries_with_backoff(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.reports.test_mail.RefusingBackend"
    message = queued()
    delays = []

    def retry(countdown, max_retries):
        delays.append(countdown)
        raise Retry()

    monkeypatch.setattr(message_send_task, "retry", retry)
    with pytest.raises(Retry):
        message_send_task.run(message.pk)  # as a worker runs it: not eager
    SentMessage.objects.filter(pk=message.pk).update(attempts=4)
    with pytest.raises(Retry):
        message_send_task.run(message.pk)
    assert delays == [SEND_BACKOFF, SEND_BACKOFF * 16]


def test_a_sent_message_is_not_sent_again(mailoutbox):
    message = queued()
    message_send_task.delay(message.pk)
    message_send_task.delay(message.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].body.startswith("Hello\n\n--\nMHSIP measurement.")


def test_an_unsubscribe_after_queueing_is_still_honoured(mailoutbox):
    message = queued()
    mail.unsubscribe(user_id=message.user_id, kind=Kind.DIGEST)
    message_send_task.delay(message.pk)
    message.refresh_from_db()
    assert mailoutbox == [] and message.status == SentMessage.Status.SKIPPED


def test_a_token_names_its_user_and_kind_only():
    token = mail.unsubscribe_token(7, Kind.REMINDER)
    assert mail.read_unsubscribe_token(token) == (7, Kind.REMINDER)
    assert mail.read_unsubscribe_token("nonsense") is None
