"""The one rail: every change of state of every model with a status (STYLE.md "State changes").

A stateful model declares its machine as data (``Machine``): its states, and its edges (``Edge``) with the
states they leave, the state they reach, the roles that may take them, whose earlier act the actor must not
be (separation of duties: drafter ≠ approver, checker ≠ confirmer, creator ≠ approver), whether a reason is
required, which field records the actor, the guards that may refuse it, and the named effects it has.

``perform`` is the one function that changes a state. In one transaction it checks that the user may see the
object (``DoesNotExist`` otherwise: pages answer 404), locks the row (its parent's first, where the machine
names one), refuses with a Japanese reason (the machine's ``error``), runs the effects (a ledger posting…),
moves the state through the model's one django-fsm transition (``move``, on a protected ``FSMField``),
records the actor, saves, writes the audit row named after the machine and the edge, and runs what follows
the act in the same transaction (a notice takes its document number there, so a rollback returns the
number). Work that leaves the system (mail, deleting a stored file) waits for the commit (``Act.on_commit``).

Pages ask ``offers`` which edges a user may take on an object now, and ``may`` whether an act that does not
change the state (``Activity``: writing lines, attaching a receipt) is open; no page repeats a status test.

A machine, its effects and its guards are registered at import (``register``, ``effect``, ``guard``); the
system check ``check_machines`` verifies every machine against its model at start-up.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import models, transaction
from django.utils import timezone
from django_fsm import FSMFieldMixin

from .models import record_event

M = TypeVar("M", bound=models.Model)

# The role of an act the system takes: inside another act (a case closing when its refund is paid) or in the
# background worker. Such an edge is never offered on a page to a role it does not list.
SYSTEM = "system"


class ActionRefused(Exception):
    """An act is not allowed now or by this user, or its input is wrong; the message is for the user, in
    Japanese. Each app's error (``CaseActionError``, ``PlanError``, ``InsuranceError`` …) derives from it."""


@dataclass(frozen=True)
class Edge:
    """One transition of a machine.

    ``records`` names the user field set to the actor and ``stamps`` the datetime field set to now.
    ``differs_from`` names user fields of the object the actor must not be (the machine's ``separation``
    gives the refusal). ``guards`` name registered checks that may refuse the act (and disable its button);
    ``effects`` name registered effects that run before the move and may refuse; ``then`` name effects run
    after the move and its audit row, in the same transaction (``notice:<kind>`` issues that notice).
    ``page``: how a page offers it: ``button`` (a button with an optional note), ``form`` (a form of its own,
    the edge needs more than a note), or ``""`` (never offered: the act of another machine, a batch or the
    worker takes it). ``role_refusal`` and ``state_refusal`` replace the machine's refusals for this edge
    (``{state}``, ``{label}`` and ``{obj}`` are filled in); ``action`` names the audit row when two edges are
    one act; ``done`` is the act as the audit trail names it, where a workflow words it its own way;
    ``refusal_in`` gives the refusal for particular states the edge does not leave; ``needs`` names the input
    the act cannot do without (an assessed amount), refused with ``needs_refusal`` when it is missing."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    differs_from: tuple[str, ...] = ()
    note_required: bool = False
    records: str = ""
    stamps: str = ""
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    then: tuple[str, ...] = ()
    page: str = "button"
    tone: str = "primary"
    role_refusal: str = ""
    state_refusal: str = ""
    note_refusal: str = "理由を入力してください。"
    action: str = ""
    done: str = ""
    refusal_in: Mapping[str, str] = dataclasses.field(default_factory=dict)
    needs: tuple[str, ...] = ()
    needs_refusal: str = "この手続は、画面の入力欄から行ってください。"
    org_roles: frozenset[str] = frozenset()

    @property
    def audit_action(self) -> str:
        """The audit row's action: the edge's name, or ``action`` when two edges are one act with two outcomes
        (a payment order sent back to be redrafted, or withdrawn)."""
        return self.action or self.name


@dataclass(frozen=True)
class Activity:
    """An act that does not change the state (writing the budget lines, attaching a receipt): open in
    ``states`` to ``roles`` (and, for an applicant, to the members of the organisation holding one of
    ``org_roles``, as on ``Edge``). Services call ``require`` and pages ``may`` with the same data."""

    name: str
    states: frozenset[str]
    roles: frozenset[str]
    refusal: str = "この操作はいまは行えません。"
    org_roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Machine(Generic[M]):
    """The states and edges of one model's state field.

    ``model`` is the "app_label.Model" of the stateful model; ``visible(user)`` the objects the user may see
    (the rest answer "not found"); ``parent`` the foreign key whose row is locked before this one (a payment
    order's case), so that every act on a case and its parts locks in one order. ``subject(obj)`` is the
    object the audit row is about (the case, for its payment orders) and ``note(obj, text)`` the audit
    note. ``error`` is the exception raised on refusal. ``variant`` names the machine among the machines of a
    model whose objects follow different ones (a case follows its programme's workflow: ``formula``, ``full``).
    """

    name: str
    label: str
    model: str
    states: Mapping[str, str]
    edges: tuple[Edge, ...]
    visible: Callable[[Any], models.QuerySet[M]]
    field: str = "status"
    variant: str = ""
    separation: Mapping[str, str] = dataclasses.field(default_factory=dict)
    activities: tuple[Activity, ...] = ()
    parent: str = ""
    related: tuple[str, ...] = ()
    error: type[ActionRefused] = ActionRefused
    subject: Callable[[M], models.Model] | None = None
    note: Callable[[M, str], str] | None = None
    role_refusal: str = "この操作を行う権限がありません。"
    state_refusal: str = "この{label}は「{state}」のため、この操作はできません。"

    def edge(self, name: str) -> Edge:
        for edge in self.edges:
            if edge.name == name:
                return edge
        raise KeyError(f"machine {self.name!r} has no edge {name!r}")

    def activity(self, name: str) -> Activity:
        for activity in self.activities:
            if activity.name == name:
                return activity
        raise KeyError(f"machine {self.name!r} has no activity {name!r}")

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.field))

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def model_class(self) -> type[M]:
        return apps.get_model(self.model)

    def with_edges(self, *edges: Edge, **changes: Any) -> Machine[M]:
        """A copy with ``edges`` replacing the edges of the same name (and other fields changed)."""
        replaced = {e.name: e for e in edges}
        kept = tuple(replaced.pop(e.name, e) for e in self.edges) + tuple(replaced.values())
        return dataclasses.replace(self, edges=kept, **changes)


@dataclass
class Act(Generic[M]):
    """One act in progress: what the effects of an edge receive. ``params`` are the act's input beyond the
    note (an assessed amount, a transfer date); ``memo`` carries what one effect leaves for the next."""

    machine: Machine[M]
    edge: Edge
    obj: M
    actor: Any
    note: str
    params: Mapping[str, Any]
    parent: Act[Any] | None = None
    memo: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def before(self) -> str:
        return str(self.memo["_before"])

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the act's transaction commits (mail, removing a stored file)."""
        transaction.on_commit(fn)


Effect = Callable[[Act[Any]], None]
Guard = Callable[[Any, Any], "str | None"]
NoticeIssuer = Callable[..., Any]
# ``resolver(obj, user)``: the roles (``head``, ``treasurer``, ``clerk``) ``user`` holds today in the organisation
# ``obj`` belongs to, or None when ``user`` does not act for organisations (a city role).
MemberRoles = Callable[[Any, Any], "frozenset[str] | None"]
Listener = Callable[[Act[Any]], None]

MACHINES: dict[str, Machine[Any]] = {}
EFFECTS: dict[str, Effect] = {}
GUARDS: dict[str, Guard] = {}
_NOTICES: dict[str, NoticeIssuer] = {}
_MEMBER_ROLES: list[MemberRoles] = []
_LISTENERS: list[Listener] = []

# The refusal of an edge or activity whose ``org_roles`` the user's roles in the organisation do not meet.
MEMBER_REFUSAL = "この手続は団体の{roles}が行います。"
ORG_ROLE_LABELS = {"head": "代表者", "treasurer": "会計", "clerk": "担当者"}


def register(machine: Machine[M]) -> Machine[M]:
    """Add ``machine`` to the machines the system check verifies (once per name)."""
    known = MACHINES.get(machine.name)
    if known is not None and known is not machine:
        raise ValueError(f"machine {machine.name!r} registered twice")
    MACHINES[machine.name] = machine
    return machine


def unregister(name: str) -> None:
    """Remove a machine (a test that declared one of its own)."""
    MACHINES.pop(name, None)


def machines_of(model: str) -> list[Machine[Any]]:
    """The registered machines of ``model`` ("app_label.Model"): one, or one per workflow of a model whose
    objects follow different machines (a case follows its programme's workflow)."""
    return [m for m in MACHINES.values() if m.model == model]


def variant_choices(model: str) -> list[tuple[str, str]]:
    """The variants of ``model``'s machines with their labels (a programme chooses its workflow among them)."""
    return [(m.variant, m.label) for m in machines_of(model) if m.variant]


@dataclass(frozen=True)
class Supplies:
    """What a variant's flow gives the rule engine (``grants.programmes.engine``), declared where the flow is
    registered: ``inputs`` by name (``households``, ``eligible_cost``, ``year_no`` …) and, with ``measures``,
    every measure on file (人口, 面積 …: ``grants.organizations.Measure``). A rule needing anything else is refused
    when it is saved, so that it never fails later (the programme-year admin reads this)."""

    inputs: frozenset[str] = frozenset()
    measures: bool = False


SUPPLIES: dict[tuple[str, str], Supplies] = {}


def declare_supplies(machine: Machine[Any], supplies: Supplies) -> None:
    """Publish what the flow of ``machine`` (a variant of its model) supplies to the rule engine."""
    SUPPLIES[(machine.model, machine.variant)] = supplies


def supplies_of(model: str, variant: str) -> Supplies | None:
    """What the flow ``variant`` of ``model`` supplies to the rule engine, or None when it declared nothing."""
    return SUPPLIES.get((model, variant))


def state_choices(model: str) -> list[tuple[str, str]]:
    """Every state of every machine of ``model``, with its label, in the order declared (the choices of a
    state field shared by several machines)."""
    seen: dict[str, str] = {}
    for machine in machines_of(model):
        for value, label in machine.states.items():
            seen.setdefault(value, label)
    return list(seen.items())


def _registrar(registry: dict[str, Any], what: str, name: str) -> Callable[[Any], Any]:
    def add(fn: Any) -> Any:
        if registry.get(name, fn) is not fn:
            raise ValueError(f"{what} {name!r} registered twice")
        registry[name] = fn
        return fn

    return add


def effect(name: str) -> Callable[[Effect], Effect]:
    """Register an effect under ``name`` for the ``effects``/``then`` of edges declared as data."""
    return _registrar(EFFECTS, "effect", name)


def guard(name: str) -> Callable[[Guard], Guard]:
    """Register a guard: ``fn(obj, user)`` returns why the act may not be taken now (Japanese), or None."""
    return _registrar(GUARDS, "guard", name)


def set_notice_issuer(kind_family: str, issuer: NoticeIssuer) -> None:
    """The notices app gives the rail its issuer (``issuer(subject, kind, actor, **details)``) at start-up:
    the layers below it name a notice (``notice:decision``) without importing it."""
    _NOTICES[kind_family] = issuer


def issue_notice(subject: models.Model, kind: str, actor: Any, **details: Any) -> Any:
    """Issue the ``kind`` notice of ``subject`` in the current transaction (its number is rolled back with
    it). Raises ``ActionRefused`` when no issuer is installed or the issuer refuses."""
    issuer = _NOTICES.get("notice")
    if issuer is None:
        raise ActionRefused("通知書を発行できません（通知書の機能が有効になっていません）。")
    return issuer(subject, kind, actor, **details)


def set_member_roles(resolver: MemberRoles) -> None:
    """The organisations app gives the rail the roles a user holds in an object's organisation (at start-up):
    edges and activities name ``org_roles`` without the rail importing it. Installed once."""
    _MEMBER_ROLES[:] = [resolver]


def listen(listener: Listener) -> None:
    """Call ``listener(act)`` after every act (a part of another act too: ``act.parent``), inside its
    transaction, after the audit row and the edge's ``then``: the notifications app turns acts into messages
    this way, and what it writes is rolled back with the act. Work that leaves the system must wait for the
    commit (``act.on_commit``)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def member_refusal(org_roles: frozenset[str], obj: Any, user: Any) -> str | None:
    """Why ``user`` may not act for ``obj``'s organisation in a step open to ``org_roles`` only, or None (no
    restriction, a city user, or a member holding one of the roles)."""
    if not org_roles or user is None or not _MEMBER_ROLES:
        return None
    held = _MEMBER_ROLES[0](obj, user)
    if held is None or held & org_roles:
        return None
    names = "・".join(ORG_ROLE_LABELS.get(r, r) for r in ("head", "treasurer", "clerk") if r in org_roles)
    return MEMBER_REFUSAL.format(roles=names)


def _role(user: Any) -> str:
    return str(getattr(user, "role", "") or "")


def refusal(machine: Machine[M], edge: Edge, obj: M, user: Any, *, within: bool = False) -> str | None:
    """Why ``user`` may not take ``edge`` on ``obj`` now (Japanese), or None: the role (an act ``within``
    another act may take a SYSTEM edge), separation of duties, the state, then the edge's guards."""
    allowed = _role(user) in edge.roles or ((within or user is None) and SYSTEM in edge.roles)
    if not allowed:
        return edge.role_refusal or machine.role_refusal
    for name in edge.differs_from:
        if user is not None and getattr(obj, f"{name}_id") == user.pk:
            return machine.separation[name]
    member = member_refusal(edge.org_roles, obj, user)
    if member:
        return member
    state = machine.state_of(obj)
    if state not in edge.sources:
        template = edge.refusal_in.get(state) or edge.state_refusal or machine.state_refusal
        return template.format(label=machine.label, state=machine.state_label(state), obj=obj)
    for name in edge.guards:
        reason = GUARDS[name](obj, user)
        if reason:
            return reason
    return None


@dataclass(frozen=True)
class Offer:
    """An edge a page may show to its user now; ``refusal`` says why its button is disabled (None: enabled)."""

    edge: Edge
    refusal: str | None

    @property
    def name(self) -> str:
        return self.edge.name

    @property
    def label(self) -> str:
        return self.edge.label

    @property
    def enabled(self) -> bool:
        return self.refusal is None


def offers(machine: Machine[M], obj: M, user: Any, *, page: str | None = "button") -> list[Offer]:
    """The edges of ``machine`` leaving ``obj``'s state that ``user``'s role may take and a page offers (all
    page kinds when ``page`` is None): each with the reason it is refused now, if any."""
    state = machine.state_of(obj)
    return [
        Offer(edge, refusal(machine, edge, obj, user))
        for edge in machine.edges
        if state in edge.sources and _role(user) in edge.roles and edge.page
        and (page is None or edge.page == page)
    ]


def open_edges(machine: Machine[M], obj: M, user: Any) -> dict[str, Offer]:
    """Every edge ``user`` could be offered on ``obj`` now, by name (for a page that places its own buttons)."""
    return {offer.name: offer for offer in offers(machine, obj, user, page=None)}


def leaves(machine: Machine[M], obj: M, edge: str) -> bool:
    """Whether ``obj`` is in a state the edge ``edge`` leaves (whoever may take it)."""
    return machine.state_of(obj) in machine.edge(edge).sources


def may(machine: Machine[M], obj: M, user: Any, activity: str) -> bool:
    """Whether ``user`` may do ``activity`` (an act that does not change the state) on ``obj`` now."""
    act = machine.activity(activity)
    return (machine.state_of(obj) in act.states and _role(user) in act.roles
            and member_refusal(act.org_roles, obj, user) is None)


def require(machine: Machine[M], obj: M, user: Any, activity: str) -> None:
    """Refuse ``activity`` (``machine.error`` with the activity's reason, or the member refusal when the
    user's role in the organisation is the reason) unless ``may``."""
    if not may(machine, obj, user, activity):
        act = machine.activity(activity)
        in_state = machine.state_of(obj) in act.states and _role(user) in act.roles
        raise machine.error((in_state and member_refusal(act.org_roles, obj, user)) or act.refusal)


def access(machine: Machine[M], user: Any, pk: int, *, lock: bool = False) -> M:
    """The object ``pk`` if ``user`` may see it, else ``DoesNotExist`` (missing and not theirs alike).
    ``lock`` locks the parent row (if any) and then the object's row; call it inside a transaction."""
    model = machine.model_class()
    if user is not None and not machine.visible(user).filter(pk=pk).exists():
        # Every concrete model has its DoesNotExist (made by ModelBase); the stubs give it to no TypeVar of Model.
        raise model.DoesNotExist(f"{machine.label}が見つかりません。")  # type: ignore[attr-defined]
    qs = model._default_manager.select_related(*machine.related)
    if not lock:
        return qs.get(pk=pk)
    if machine.parent:
        parent_field = model._meta.get_field(machine.parent)
        assert isinstance(parent_field, models.ForeignKey), "check_machines (core.E101) allows a foreign key only"
        parent_id = model._default_manager.filter(pk=pk).values_list(parent_field.attname, flat=True).get()
        parent_model = parent_field.related_model
        # related_model is typed "type[Model] | 'self'": once the models are loaded it is always the class.
        list(parent_model._default_manager.select_for_update().filter(pk=parent_id).values_list("pk"))  # type: ignore[union-attr]
    return qs.select_for_update(of=("self",)).get(pk=pk)


def perform(
    machine: Machine[M],
    pk: int,
    edge_name: str,
    *,
    actor: Any,
    note: str = "",
    params: Mapping[str, Any] | None = None,
    effect: Effect | None = None,
    then: Effect | None = None,
    part_of: Act[Any] | None = None,
    record: bool = True,
) -> M:
    """Take edge ``edge_name`` on object ``pk`` as ``actor``: the one way any state changes.

    One transaction: visibility (``DoesNotExist`` for an object the actor may not see), row locks, the
    refusal (``machine.error`` with a Japanese message: role, separation of duties, state, a missing reason,
    a guard), the edge's effects and ``effect`` (which may refuse too), the move on the protected state
    field, the actor and time fields, the save, the audit row (action: the edge, machine: its name), then the
    edge's ``then`` and ``then``. An ``ActionRefused`` raised by an effect (a ledger or notice refusal) reaches
    the caller as ``machine.error`` and nothing is written.

    ``part_of``: an act this transition belongs to (a case closing when the refund that settles it is
    recorded; a payment order moving with its case): visibility was checked by that act, and the edge may be
    a SYSTEM one. ``record=False`` (only with ``part_of``) leaves the audit to that act's row, for a part
    that mirrors its parent step for step (the single payment order of a formula grant)."""
    if not record and part_of is None:
        raise ValueError("only a transition within another act may leave its audit to that act")
    edge = machine.edge(edge_name)
    try:
        with transaction.atomic():
            obj = access(machine, None if part_of is not None else actor, pk, lock=True)
            act: Act[M] = Act(machine, edge, obj, actor, note or "", params or {}, part_of)
            _take(act, effect, then, record)
    except ActionRefused as exc:
        if isinstance(exc, machine.error):
            raise
        raise machine.error(str(exc)) from exc
    return obj


def _take(act: Act[M], effect: Effect | None, then: Effect | None, record: bool) -> None:
    machine, edge, obj = act.machine, act.edge, act.obj
    reason = refusal(machine, edge, obj, act.actor, within=act.parent is not None)
    if reason is None and edge.note_required and not act.note.strip():
        reason = edge.note_refusal
    if reason is None and any(act.params.get(name) is None for name in edge.needs):
        reason = edge.needs_refusal
    if reason:
        raise machine.error(reason)
    act.memo["_before"] = machine.state_of(obj)
    for run in [*(_effect(name) for name in edge.effects), *([effect] if effect else [])]:
        run(act)
    obj.move(edge.target)  # type: ignore[attr-defined]
    if edge.records:
        setattr(obj, edge.records, act.actor)
    if edge.stamps:
        setattr(obj, edge.stamps, timezone.now())
    obj.save()
    if record:
        subject = machine.subject(obj) if machine.subject else obj
        text = machine.note(obj, act.note) if machine.note else act.note
        record_event(actor=act.actor, subject=subject, action=edge.audit_action, machine=machine.name,
                     from_state=act.before, to_state=edge.target, note=text)
    for run in [*(_effect(name) for name in edge.then), *([then] if then else [])]:
        run(act)
    for listener in _LISTENERS:
        listener(act)


def _effect(name: str) -> Effect:
    kind, _, notice = name.partition(":")
    if kind == "notice" and notice:
        return lambda act: _notice(act, notice)
    return EFFECTS[name]


def _notice(act: Act[Any], kind: str) -> None:
    subject = act.machine.subject(act.obj) if act.machine.subject else act.obj
    issue_notice(subject, kind, act.actor, **act.memo.get(f"notice:{kind}", {}))


# -- the system check -------------------------------------------------------------------------------------------

def _field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        found = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return None
    return found if isinstance(found, models.Field) else None


def _machine_errors(machine: Machine[Any], roles: set[str]) -> Iterable[str]:
    try:
        model = machine.model_class()
    except LookupError:
        yield f"model {machine.model!r} is not installed"
        return
    state_field = _field(model, machine.field)
    if not isinstance(state_field, FSMFieldMixin) or not state_field.protected:
        yield f"{machine.model}.{machine.field} is not a protected FSMField"
    if not callable(getattr(model, "move", None)):
        yield f"{machine.model} has no move() transition for the rail"
    names = [e.name for e in machine.edges]
    if len(names) != len(set(names)):
        yield "two edges share a name"
    for edge in machine.edges:
        where = f"edge {edge.name!r}"
        if not edge.sources <= set(machine.states) or edge.target not in machine.states:
            yield f"{where} leaves or reaches a state the machine does not have"
        if not edge.roles or not edge.roles <= roles | {SYSTEM}:
            yield f"{where} names an unknown role: {sorted(edge.roles - roles - {SYSTEM})}"
        for name in (edge.records, *edge.differs_from):
            if name and not isinstance(_field(model, name), models.ForeignKey):
                yield f"{where} names {name!r}, which is not a user field of {machine.model}"
        if edge.stamps and not isinstance(_field(model, edge.stamps), models.DateTimeField):
            yield f"{where} stamps {edge.stamps!r}, which is not a datetime field"
        for name in edge.differs_from:
            if name not in machine.separation:
                yield f"{where}: no refusal message for the separation {name!r}"
        for name in (*edge.effects, *edge.then):
            if not name.startswith("notice:") and name not in EFFECTS:
                yield f"{where} names the unregistered effect {name!r}"
        for name in edge.guards:
            if name not in GUARDS:
                yield f"{where} names the unregistered guard {name!r}"
        if edge.page not in ("button", "form", ""):
            yield f"{where}: page must be 'button', 'form' or ''"
    for activity in machine.activities:
        if not activity.states <= set(machine.states):
            yield f"activity {activity.name!r} names a state the machine does not have"
    if machine.parent and not isinstance(_field(model, machine.parent), models.ForeignKey):
        yield f"parent {machine.parent!r} is not a foreign key of {machine.model}"


def stateful_models() -> list[type[models.Model]]:
    """Installed models with an FSM state field: each must have a machine."""
    return [m for m in apps.get_models() if any(isinstance(f, FSMFieldMixin) for f in m._meta.concrete_fields)]


@checks.register()
def check_machines(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Every registered machine agrees with its model, and every model with a state field has a machine."""
    role_field = get_user_model()._meta.get_field("role")
    roles = {str(value) for value, _ in (getattr(role_field, "choices", None) or [])}
    errors: list[checks.CheckMessage] = []
    for machine in MACHINES.values():
        for message in _machine_errors(machine, roles):
            errors.append(checks.Error(f"machine {machine.name!r}: {message}", id="core.E101"))
    covered = {(m.model_class()._meta.label, m.field) for m in MACHINES.values() if _installed(m)}
    for model in stateful_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, FSMFieldMixin) and (model._meta.label, f.name) not in covered:
                errors.append(checks.Error(f"{model._meta.label}.{f.name} has no machine", id="core.E102"))
    return errors


def _installed(machine: Machine[Any]) -> bool:
    try:
        machine.model_class()
    except LookupError:
        return False
    return True
