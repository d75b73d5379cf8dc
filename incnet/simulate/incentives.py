r"""The incentive to recruit that a referral mechanism creates at each depth.

A participant at depth :math:`d` recruits because each recruit may lead to payments: if someone
:math:`k` steps below finds and reports a target, the mechanism pays :math:`r_k` to the
participant (for a chain of length :math:`L` from the initial participant down to the finder,
``chain_payments(L)[k]``; the finder is at index 0). With :math:`q` the probability that a
participant finds a target, :math:`s` the probability that a finder reports it, :math:`E[K]` the mean
number of contacts, :math:`p_j = p(w_j)` the response and :math:`m_j = E[K]\,p_j`, the expected
payment that one recruit brings a depth-:math:`d` recruiter is

.. math::

    w_d = \sum_{k=1}^{H-d} r^{(d)}_k \, q \, s_{d+k} \prod_{j=d+1}^{d+k-1} m_j ,
    \qquad r^{(d)}_k = \texttt{chain\_payments}(d + k + 1)[k], \qquad w_H = 0,

computed backward from the horizon :math:`H` (nobody at depth :math:`H` recruits). A rule that pays
only the finder has :math:`r_k = 0` for :math:`k \ge 1`, hence :math:`w = 0`: recruitment is plain
information diffusion. A recursive split pays for recruiting, :math:`w > 0` — the lesson of the
DARPA Network Challenge (Pickard et al. 2011), read off this formula rather than coded per rule.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from .._results import ResultMixin
from .._validate import as_real_array, check_int, check_nonnegative, check_probability, describe
from ..errors import InvalidInputError
from .response import as_response, response_table

__all__ = ["RecruitmentIncentives", "recruitment_incentives", "chain_payment_table", "report_table"]

#: Deepest horizon accepted: the payment table holds (H + 1)^2 floats.
MAX_HORIZON = 5000


def chain_payment_table(mechanism_or_schedule, horizon):
    r"""Payments of a mechanism to every chain up to length ``horizon + 1``.

    Parameters
    ----------
    mechanism_or_schedule : mechanism or array_like
        An object with ``chain_payments(length)`` (index 0 the finder), e.g. a mechanism of
        :mod:`incnet.mechanisms`, or a plain schedule :math:`r_0, r_1, \dots` (positions beyond its
        end are paid 0).
    horizon : int
        Deepest depth :math:`H`; chains have lengths :math:`1, \dots, H + 1`.

    Returns
    -------
    numpy.ndarray, shape (H + 1, H + 1)
        ``table[L - 1, k]`` is the payment to the participant ``k`` steps above the finder in a
        chain of length ``L`` (zero for ``k >= L``).

    Raises
    ------
    InvalidInputError
        If the payments are not finite and non-negative, the object is not a mechanism, or the
        horizon exceeds ``MAX_HORIZON`` (5000).

    Examples
    --------
    >>> chain_payment_table([2000.0, 1000.0, 500.0], 2).tolist()
    [[2000.0, 0.0, 0.0], [2000.0, 1000.0, 0.0], [2000.0, 1000.0, 500.0]]
    """
    horizon = check_int(horizon, "horizon", minimum=0)
    if horizon > MAX_HORIZON:
        raise InvalidInputError(
            f"horizon={horizon} is deeper than {MAX_HORIZON} levels: the payments of every chain up to "
            f"that length take {(horizon + 1) ** 2 * 8 / 1e9:.1f} GB; recruitment trees are far "
            "shallower, so pass a smaller horizon"
        )
    size = horizon + 1
    table = np.zeros((size, size), dtype=np.float64)
    chain = getattr(mechanism_or_schedule, "chain_payments", None)
    if chain is not None:
        for length in range(1, size + 1):
            row = np.asarray(chain(length), dtype=np.float64).ravel()
            cut = min(length, row.size)
            table[length - 1, :cut] = row[:cut]
    else:
        if isinstance(mechanism_or_schedule, (str, bytes)) or not np.iterable(mechanism_or_schedule):
            raise InvalidInputError(
                "mechanism must have chain_payments(length) (see incnet.mechanisms) or be a "
                f"schedule r_0, r_1, ... of payments, got {describe(mechanism_or_schedule)}"
            )
        try:
            schedule = as_real_array(mechanism_or_schedule, "a payment schedule").ravel()
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"a payment schedule must be numeric, got {describe(mechanism_or_schedule)}"
            ) from None
        cut = min(size, schedule.size)
        for length in range(1, size + 1):
            upto = min(length, cut)
            table[length - 1, :upto] = schedule[:upto]
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise InvalidInputError(
            f"payments must be finite and >= 0, got {describe(table[~np.isfinite(table) | (table < 0)].tolist())}"
        )
    return table


def report_table(report, finder_rewards):
    """Probability that a finder reports, per finder reward ``r_0`` (``report=None``: always).

    ``report`` is ``None``, a probability, or a vectorised callable of the finder's reward.
    """
    r0 = np.ascontiguousarray(finder_rewards, dtype=np.float64)
    if report is None:
        return np.ones_like(r0)
    if isinstance(report, numbers.Real) and not isinstance(report, bool):
        return np.full_like(r0, check_probability(report, "report"))
    if not callable(report):
        raise InvalidInputError(
            f"report must be None, a probability or a callable of the finder's reward, got {describe(report)}"
        )
    s = np.asarray(report(r0), dtype=np.float64)
    if s.ndim == 0:
        s = np.full_like(r0, float(s))
    if s.shape != r0.shape or not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s > 1):
        raise InvalidInputError(
            f"report must return one probability in [0, 1] per finder reward, got {describe(s.tolist())}"
        )
    return np.ascontiguousarray(s)


@dataclass(frozen=True, repr=False)
class RecruitmentIncentives(ResultMixin):
    r"""Incentives to recruit and recruitment probabilities per depth.

    Attributes
    ----------
    incentives : numpy.ndarray, shape (H + 1,)
        :math:`w_0, \dots, w_H` (:math:`w_H = 0`).
    probabilities : numpy.ndarray, shape (H + 1,)
        :math:`p_d = p(w_d)` for :math:`d < H`; :math:`p_H = 0` because nobody at the horizon
        recruits.
    expected_recruits : numpy.ndarray, shape (H + 1,)
        :math:`m_d = E[K]\,p_d`.
    report_probabilities : numpy.ndarray, shape (H + 1,)
        :math:`s_d`, the probability that a finder at depth :math:`d` reports.
    payments : numpy.ndarray, shape (H + 1, H + 1)
        :func:`chain_payment_table` of the mechanism.
    horizon, mean_contacts, find_probability
        The inputs (``mean_contacts`` a float, or an array per depth).
    converged, iterations, residual
        For incentives computed as a fixed point (``method="self-consistent"``, see
        :func:`incnet.design.self_consistent_incentives`): whether the iteration met its
        tolerance, how many simulate-measure-update steps it took, and the final residual
        :math:`\max_d |F(w)_d - w_d|` (in payment units). The backward recursion is exact:
        ``True``, 0, 0.0.
    method : str
        ``"backward recursion"`` (the branching formula), ``"given"`` (``values=``) or
        ``"self-consistent"``.
    """

    incentives: np.ndarray
    probabilities: np.ndarray
    expected_recruits: np.ndarray
    report_probabilities: np.ndarray
    payments: np.ndarray
    horizon: int
    mean_contacts: object
    find_probability: float
    converged: bool = True
    iterations: int = 0
    residual: float = 0.0
    method: str = "backward recursion"


def recruitment_incentives(mechanism_or_schedule, *, mean_contacts, response, find_probability,
                           horizon, report=None, values=None):
    r"""Expected payment per recruit :math:`w_d` and recruitment probability :math:`p_d` per depth.

    .. math::

        w_d = \sum_{k=1}^{H-d} r^{(d)}_k \, q \, s_{d+k} \prod_{j=d+1}^{d+k-1} m_j, \qquad
        p_d = p(w_d), \qquad m_d = E[K]\,p_d,

    with :math:`r^{(d)}_k` = ``chain_payments(d + k + 1)[k]``, computed backward from
    :math:`w_H = 0`.

    Parameters
    ----------
    mechanism_or_schedule : mechanism or array_like
        A referral mechanism (``FinderOnly``, ``RecursiveSplit``, ... of :mod:`incnet.mechanisms`;
        anything with ``chain_payments(length)``), or a schedule :math:`r_0, \dots, r_H`.
    mean_contacts : float or array_like of shape (H + 1,)
        :math:`E[K]`, the mean number of contacts a participant can recruit (on a graph, the mean
        excess degree :math:`E[D^2]/E[D] - 1`); an array gives :math:`E[K_d]` per depth, and then
        :math:`m_d = E[K_d]\,p_d`.
    response : Response, float, str or callable
        The response function :math:`p(w)` (see :func:`~incnet.simulate.response.as_response`).
    find_probability : float
        :math:`q`, the probability that a participant finds a target (``k / n`` for ``k`` targets
        hidden among ``n`` nodes).
    horizon : int
        :math:`H \ge 0`, the deepest depth that counts; nobody at depth :math:`H` recruits.
    report : None, float or callable, optional
        :math:`s`: probability that a finder reports the target, as a function of the finder's
        reward :math:`r_0` (``None``: always reports).
    values : array_like of shape (H + 1,), optional
        Incentives :math:`w_0, \dots, w_H` computed elsewhere (e.g. the self-consistent ones of
        :func:`incnet.design.self_consistent_incentives`): used as given instead of the branching
        formula (``w_H`` is set to 0), with :math:`p_d = p(w_d)`.

    Returns
    -------
    RecruitmentIncentives
        ``.incentives`` (:math:`w_d`), ``.probabilities`` (:math:`p_d`), ``.expected_recruits``
        (:math:`m_d`) and the tables they came from.

    Raises
    ------
    InvalidInputError
        For a negative ``mean_contacts``, a ``find_probability`` outside [0, 1], a negative
        ``horizon``, or a mechanism/response/report that is not understood.

    See Also
    --------
    simulate_recruitment : the Monte Carlo simulation that uses these probabilities.

    Notes
    -----
    The product :math:`\prod m_j` is the expected number of depth-:math:`(d+k)` descendants of one
    depth-:math:`(d+1)` recruit in the branching approximation (every contact new), so :math:`w_d`
    is exact for a Galton-Watson tree and a mean-field estimate on a graph. Cost
    :math:`O(H^2)` arithmetic and :math:`H + 1` evaluations of the response.

    References
    ----------
    .. [1] Pickard, G., Pan, W., Rahwan, I., Cebrian, M., Crane, R., Madan, A., Pentland, A.
       (2011). Time-critical social mobilization. *Science* 334(6055), 509-512.
    .. [2] Kleinberg, J., Raghavan, P. (2005). Query incentive networks. *FOCS 2005*, 132-141.

    Examples
    --------
    Paying only the finder gives nobody a reason to recruit; the DARPA rule does:

    >>> from incnet.simulate import recruitment_incentives, ExponentialResponse
    >>> f = ExponentialResponse(0.1, 0.6, scale=50.0)
    >>> finder_only = recruitment_incentives([2000.0], mean_contacts=10, response=f,
    ...                                      find_probability=1e-3, horizon=3)
    >>> finder_only.incentives.tolist()
    [0.0, 0.0, 0.0, 0.0]
    >>> darpa = recruitment_incentives([2000.0, 1000.0, 500.0, 250.0], mean_contacts=10,
    ...                                response=f, find_probability=1e-3, horizon=3)
    >>> np.round(darpa.incentives, 3).tolist()
    [1.893, 1.55, 1.0, 0.0]
    >>> np.round(darpa.probabilities, 3).tolist()
    [0.119, 0.115, 0.11, 0.0]
    """
    horizon = check_int(horizon, "horizon", minimum=0)
    if horizon > MAX_HORIZON:
        raise InvalidInputError(
            f"horizon={horizon} is deeper than {MAX_HORIZON} levels: the payment table takes "
            f"{(horizon + 1) ** 2 * 8 / 1e9:.3g} GB; recruitment trees are far shallower, so pass "
            "a smaller horizon"
        )
    if np.ndim(mean_contacts) == 0:
        mean_contacts = check_nonnegative(mean_contacts, "mean_contacts")
        contacts = np.full(horizon + 1, mean_contacts)
    else:
        contacts = as_real_array(mean_contacts, "mean_contacts")
        if contacts.shape != (horizon + 1,) or not np.all(np.isfinite(contacts)) or np.any(contacts < 0):
            raise InvalidInputError(
                f"mean_contacts must be a number >= 0 or {horizon + 1} of them (one per depth), "
                f"got {describe(mean_contacts)}"
            )
        mean_contacts = contacts.copy()
    q = check_probability(find_probability, "find_probability")
    response = as_response(response)
    payments = chain_payment_table(mechanism_or_schedule, horizon)
    # s_d: a finder at depth d heads a chain of length d + 1 and is offered payments[d, 0]
    report_probabilities = report_table(report, payments[:, 0].copy())
    size = horizon + 1
    w = np.zeros(size)
    p = np.zeros(size)
    m = np.zeros(size)
    # coefficient[d + k] of the k-th term for a depth-d recruiter is payments[d + k, k] * q * s_{d+k}:
    # the d-th sub-diagonal of the payment table, scaled by the finder's report probability
    if values is not None:
        w = np.array(values, dtype=np.float64).ravel()
        if w.shape != (size,) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise InvalidInputError(
                f"values must be {size} finite incentives >= 0 (w_0 .. w_H), got {describe(values)}")
        w[horizon] = 0.0
        p = response_table(response, w)
        p[horizon] = 0.0
        return RecruitmentIncentives(
            incentives=w, probabilities=p, expected_recruits=contacts * p,
            report_probabilities=report_probabilities, payments=payments, horizon=horizon,
            mean_contacts=mean_contacts, find_probability=q, method="given",
        )
    scaled = payments * (q * report_probabilities)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        for d in range(horizon - 1, -1, -1):
            coefficient = np.diagonal(scaled, offset=-d)[1:]
            # reach[k - 1] = prod_{j=d+1}^{d+k-1} m_j, the expected descendants k - 1 levels below
            reach = np.ones(horizon - d)
            if horizon - d > 1:
                np.cumprod(m[d + 1:horizon], out=reach[1:])
            terms = np.where(coefficient > 0, coefficient * reach, 0.0)
            w[d] = float(terms.sum())
            p[d] = response_table(response, np.array([w[d]]))[0]
            m[d] = contacts[d] * p[d]
    return RecruitmentIncentives(
        incentives=w,
        probabilities=p,
        expected_recruits=m,
        report_probabilities=report_probabilities,
        payments=payments,
        horizon=horizon,
        mean_contacts=mean_contacts,
        find_probability=q,
    )
