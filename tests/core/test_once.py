"""One-time keys of the forms that create something (grants.core.once): the same key twice creates one row and is
answered as the first; another user's key, an altered one and an expired one are refused; no key, no guard; a
used key sent to another page or with other input is refused, never answered as the first."""
import datetime as dt
import hashlib
import json
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from grants.core import once
from grants.core.models import AuditEvent, SubmittedForm, record_event
from grants.core.workflow import ActionRefused
from tests.concurrency import run_together
from tests.factories import UserFactory


def _create(user):  # type: ignore[no-untyped-def]
    return lambda: record_event(actor=user, subject=user, action="once_test")


def _answer(event):  # type: ignore[no-untyped-def]
    return f"/done/{event.pk}/", "登録しました。"


@pytest.mark.django_db
def test_the_same_key_twice_creates_one_row_and_answers_as_the_first() -> None:
    user = UserFactory()
    key = once.new_key(user)
    first = once.submit_once(key=key, user=user, act=_create(user), answer=_answer)
    second = once.submit_once(key=key, user=user, act=_create(user), answer=_answer)
    assert AuditEvent.objects.filter(action="once_test").count() == 1
    assert second == once.Earlier(url=f"/done/{first.pk}/", label="登録しました。")


@pytest.mark.django_db
def test_the_same_sending_replayed_to_the_same_page_is_answered_as_the_first() -> None:
    user = UserFactory()
    key = once.new_key(user)
    sent = {"key": key, "user": user, "answer": _answer, "path": "/cases/1/lines/", "digest": "a" * 64}
    first = once.submit_once(act=_create(user), **sent)
    assert once.submit_once(act=_create(user), **sent) == once.Earlier(url=f"/done/{first.pk}/",
                                                                      label="登録しました。")
    assert AuditEvent.objects.filter(action="once_test").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path, digest", [("/cases/1/lines/", "b" * 64), ("/cases/2/lines/", "a" * 64)],
                         ids=["other input", "other page"])
def test_a_used_key_sent_with_other_input_or_to_another_page_is_refused_and_writes_nothing(path, digest) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    key = once.new_key(user)
    once.submit_once(key=key, user=user, act=_create(user), answer=_answer, path="/cases/1/lines/",
                     digest="a" * 64)
    with pytest.raises(once.KeyReused, match="この画面は一度送信済みです。画面を開き直してから"):
        once.submit_once(key=key, user=user, act=_create(user), answer=_answer, path=path, digest=digest)
    assert AuditEvent.objects.filter(action="once_test").count() == 1
    assert SubmittedForm.objects.get().digest == "a" * 64


def _upload(content: bytes) -> MultiValueDict:  # type: ignore[type-arg]
    return MultiValueDict({"file": [SimpleUploadedFile("a.pdf", content)]})


def test_the_digest_of_a_sending_leaves_out_the_key_and_the_csrf_token_and_reads_the_files() -> None:
    base = once.sending_digest(QueryDict("amount=1000&note=x&note=y"))
    assert once.sending_digest(QueryDict(f"note=x&{once.FIELD}=k1&amount=1000&note=y&csrfmiddlewaretoken=t")) == base
    assert once.sending_digest(QueryDict("amount=2000&note=x&note=y")) != base
    assert once.sending_digest(QueryDict("amount=1000&note=y&note=x")) != base  # the order of one field's values
    with_file = once.sending_digest(QueryDict("amount=1000&note=x&note=y"), _upload(b"%PDF-1"))
    assert with_file not in (base, once.sending_digest(QueryDict("amount=1000&note=x&note=y"), _upload(b"%PDF-2")))
    files = _upload(b"%PDF-1")
    assert once.sending_digest(QueryDict("amount=1000&note=x&note=y"), files) == with_file
    assert files["file"].read() == b"%PDF-1"  # still readable by the act


@pytest.mark.django_db
def test_two_keys_are_two_sendings() -> None:
    user = UserFactory()
    for _ in range(2):
        once.submit_once(key=once.new_key(user), user=user, act=_create(user), answer=_answer)
    assert AuditEvent.objects.filter(action="once_test").count() == 2


@pytest.mark.django_db
def test_a_refused_act_does_not_use_the_key() -> None:
    user = UserFactory()
    key = once.new_key(user)

    def refuse():  # type: ignore[no-untyped-def]
        record_event(actor=user, subject=user, action="once_test")
        raise ActionRefused("金額: 1円以上で入力してください。")

    with pytest.raises(ActionRefused):
        once.submit_once(key=key, user=user, act=refuse, answer=_answer)
    assert not SubmittedForm.objects.exists() and not AuditEvent.objects.filter(action="once_test").exists()
    once.submit_once(key=key, user=user, act=_create(user), answer=_answer)  # corrected and sent again
    assert AuditEvent.objects.filter(action="once_test").count() == 1


@pytest.mark.django_db
def test_another_users_key_is_not_honoured() -> None:
    owner, other = UserFactory(), UserFactory()
    key = once.new_key(owner)
    once.submit_once(key=key, user=owner, act=_create(owner), answer=_answer)
    with pytest.raises(once.KeyRefused, match="画面を開き直して"):
        once.submit_once(key=key, user=other, act=_create(other), answer=_answer)
    with pytest.raises(once.KeyRefused):  # not yet used either
        once.submit_once(key=once.new_key(owner), user=other, act=_create(other), answer=_answer)
    assert AuditEvent.objects.filter(action="once_test").count() == 1


@pytest.mark.django_db
def test_an_altered_key_is_refused() -> None:
    user = UserFactory()
    key = once.new_key(user)
    with pytest.raises(once.KeyRefused):
        once.submit_once(key=key[:-2] + ("AA" if not key.endswith("AA") else "BB"), user=user,
                         act=_create(user), answer=_answer)
    with pytest.raises(once.KeyRefused):
        once.submit_once(key="abc", user=user, act=_create(user), answer=_answer)
    assert not AuditEvent.objects.filter(action="once_test").exists()


@pytest.mark.django_db
def test_an_expired_key_is_refused_and_its_record_may_be_forgotten(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    key = once.new_key(user)
    once.submit_once(key=key, user=user, act=_create(user), answer=_answer)
    later = time.time() + once.KEY_LIFETIME.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(once.KeyRefused, match="時間がたった"):
        once.submit_once(key=key, user=user, act=_create(user), answer=_answer)
    assert once.forget_expired(now=dt.datetime.fromtimestamp(later, tz=dt.UTC)) == 1
    with pytest.raises(once.KeyRefused):  # forgotten, the key is still refused: never a second row
        once.submit_once(key=key, user=user, act=_create(user), answer=_answer)
    assert AuditEvent.objects.filter(action="once_test").count() == 1


@pytest.mark.django_db
def test_a_fresh_record_is_not_forgotten() -> None:
    user = UserFactory()
    once.submit_once(key=once.new_key(user), user=user, act=_create(user), answer=_answer)
    assert once.forget_expired() == 0 and SubmittedForm.objects.count() == 1


@pytest.mark.django_db
def test_a_key_drawn_for_a_visitor_is_not_a_users() -> None:
    user = UserFactory()
    key = once.new_key(None)
    once.submit_once(key=key, user=None, act=_create(user), answer=_answer)
    assert once.submit_once(key=key, user=None, act=_create(user), answer=_answer) == once.Earlier(
        url=f"/done/{AuditEvent.objects.get(action='once_test').pk}/", label="登録しました。")
    with pytest.raises(once.KeyRefused):
        once.submit_once(key=key, user=user, act=_create(user), answer=_answer)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two transactions at once need PostgreSQL")
def test_two_sendings_at_once_create_one_row() -> None:
    user = UserFactory()

    def slow_create():  # type: ignore[no-untyped-def]
        time.sleep(0.2)  # the second sending arrives while the first is still writing
        return record_event(actor=user, subject=user, action="once_test")

    for _ in range(3):  # repeat the race, so that a lucky interleaving does not pass alone
        key = once.new_key(user)
        outcomes = run_together(*[lambda k=key: once.submit_once(key=k, user=user, act=slow_create, answer=_answer)
                                  for _ in range(2)])
        assert sum(isinstance(o, AuditEvent) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, once.Earlier) for o in outcomes) == 1, outcomes
    assert AuditEvent.objects.filter(action="once_test").count() == 3


def test_the_stored_digest_reveals_no_chosen_password() -> None:
    """Attack: an invitation's link (or a group's registration) sends a login name and a chosen password with a
    one-time key; the digest stored with the key was the plain sha256 of the fields, so whoever reads the table
    guessed the password offline at sha256's speed, past the password hasher. It is keyed with the site's
    secret now, and leaves every password field out."""
    sent = "username=kaikei&password=kaikei-no-pass-2026&password2=kaikei-no-pass-2026"
    digest = once.sending_digest(QueryDict(sent))
    fields = sorted(QueryDict(sent).lists())
    plain = json.dumps([fields, []], ensure_ascii=False, separators=(",", ":"))
    assert digest != hashlib.sha256(plain.encode()).hexdigest()
    assert len(digest) == 64
    assert digest == once.sending_digest(QueryDict("username=kaikei&password=other&password2=other"))
    assert digest != once.sending_digest(QueryDict("username=kaikei2&password=x&password2=x"))
