r"""Maximum-likelihood fit of the offspring law of an observed recruitment forest.

Every participant :math:`i` of a recruitment forest recruited :math:`Y_i` others. The models treat
the :math:`Y_i` as independent draws from a count law whose mean may drift with depth
:math:`d_i`:

.. math::

    \log \mu_i = \beta_0 + \beta_1 d_i \quad (\beta_1 = 0 \text{ without trend}),

- ``"poisson"``: :math:`Y \sim \mathrm{Poisson}(\mu)`;
- ``"negative_binomial"``: mean :math:`\mu`, variance :math:`\mu + \alpha \mu^2` (:math:`\alpha > 0`);
- ``"zip"`` / ``"zinb"``: with probability :math:`\pi` a structural zero (someone who never
  recruits), otherwise Poisson / negative binomial; the offspring mean is :math:`(1 - \pi)\mu`.

The parameters are estimated by maximising the log-likelihood (BFGS over unconstrained
parameters: :math:`\beta`, :math:`\log \alpha`, :math:`\operatorname{logit} \pi`); standard errors come
from the inverse of the observed information (the numerical Hessian at the optimum), carried to the
natural parameters by the delta method.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .._results import ResultMixin
from .._validate import check_int, check_method, describe
from ..branching import OffspringLaw
from ..errors import ConvergenceError, InvalidInputError

__all__ = ["RecruitmentFit", "fit_recruitment", "offspring_counts"]

MODELS = ("poisson", "negative_binomial", "zip", "zinb")


def offspring_counts(forest):
    """Number of recruits and depth of every participant of a forest.

    Parameters
    ----------
    forest : array_like of int or networkx.DiGraph
        A parent array (``-1`` for roots) or a recruiter -> recruit DiGraph.

    Returns
    -------
    counts, depths : numpy.ndarray of int64
        Per participant (in the parent array's order, or the graph's node order).
    """
    import networkx as nx
    from ..mechanisms import as_forest

    if isinstance(forest, nx.Graph):
        if not forest.is_directed():
            raise InvalidInputError("a recruitment forest must be a DiGraph with edges recruiter -> recruit")
        index = {v: i for i, v in enumerate(forest)}
        parents = np.full(len(index), -1, dtype=np.int64)
        for v in forest:
            preds = list(forest.predecessors(v))
            if len(preds) > 1:
                raise InvalidInputError(
                    f"participant {describe(v)} has {len(preds)} recruiters; a forest gives each at most one"
                )
            if preds:
                parents[index[v]] = index[preds[0]]
        forest = parents
    f = as_forest(forest, "forest")
    if f.n == 0:
        raise InvalidInputError("the forest is empty; a fit needs at least one participant")
    counts = np.bincount(f.parents[f.parents >= 0], minlength=f.n).astype(np.int64)
    return counts, np.asarray(f.depth, dtype=np.int64)


def _log_pmf(theta, y, depth, model, trend):
    """Per-observation log-likelihood for unconstrained parameters ``theta``."""
    from scipy.special import gammaln

    pos = 0
    eta = theta[0] + (theta[1] * depth if trend else 0.0)
    pos = 2 if trend else 1
    mu = np.exp(np.clip(eta, -700, 700))
    if model in ("negative_binomial", "zinb"):
        alpha = math.exp(min(theta[pos], 700.0))
        pos += 1
        r = 1.0 / alpha
        log_f = (gammaln(y + r) - gammaln(r) - gammaln(y + 1.0)
                 + r * np.log(r / (r + mu)) + y * (np.log(mu) - np.log(r + mu)))
    else:
        log_f = y * np.log(mu) - mu - gammaln(y + 1.0)
    if model in ("zip", "zinb"):
        z = theta[pos]
        log_pi = -np.logaddexp(0.0, -z)
        log_1mpi = -np.logaddexp(0.0, z)
        return np.where(y == 0, np.logaddexp(log_pi, log_1mpi + log_f), log_1mpi + log_f)
    return log_f


def _hessian(fun, x, step=1e-4):
    """Central-difference Hessian of a scalar function."""
    k = x.size
    h = step * np.maximum(1.0, np.abs(x))
    H = np.empty((k, k))
    f0 = fun(x)
    for i in range(k):
        for j in range(i, k):
            if i == j:
                e = np.zeros(k)
                e[i] = h[i]
                H[i, i] = (fun(x + e) - 2 * f0 + fun(x - e)) / h[i] ** 2
            else:
                ei = np.zeros(k)
                ej = np.zeros(k)
                ei[i] = h[i]
                ej[j] = h[j]
                H[i, j] = H[j, i] = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej)
                                     + fun(x - ei - ej)) / (4 * h[i] * h[j])
    return H


@dataclass(frozen=True, repr=False)
class RecruitmentFit(ResultMixin):
    """Fitted offspring law of a recruitment forest.

    Attributes
    ----------
    mean : float
        Fitted mean number of recruits per participant, averaged over the participants (with a
        depth trend the mean at each depth is :meth:`mean_at`).
    params : dict
        Natural parameters: ``mu`` (count mean of the non-inflated part; with ``trend``
        ``log_mu_intercept`` and ``log_mu_slope``), ``dispersion`` :math:`\\alpha` (negative
        binomial), ``zero_inflation`` :math:`\\pi` (zero-inflated models).
    stderr : dict
        Standard errors of ``params`` (delta method from the inverse observed information).
    loglik, aic, bic : float
    observed, expected : numpy.ndarray
        Participants with 0, 1, ..., max recruits, and the fitted model's expected numbers.
    chi2, chi2_dof, chi2_pvalue : float
        Pearson goodness of fit over bins merged until each expects at least 5.
    converged : bool
    iterations : int
    method : str
    """

    mean: float
    params: dict
    stderr: dict
    loglik: float
    aic: float
    bic: float
    observed: np.ndarray
    expected: np.ndarray
    chi2: float
    chi2_dof: int
    chi2_pvalue: float
    n_participants: int
    model: str
    trend: bool
    converged: bool
    iterations: int
    method: str = "maximum likelihood (BFGS, observed information)"
    _theta: np.ndarray = field(default=None, repr=False)
    _covariance: np.ndarray = field(default=None, repr=False)

    def pmf_at(self, depth, size):
        """Fitted probabilities of 0 .. size - 1 recruits for a participant at ``depth``."""
        y = np.arange(size, dtype=np.float64)
        return np.exp(_log_pmf(self._theta, y, np.full(size, float(depth)), self.model, self.trend))

    def mean_at(self, depth):
        """Fitted mean number of recruits at ``depth``."""
        t = self._theta
        mu = math.exp(t[0] + (t[1] * depth if self.trend else 0.0))
        if self.model in ("zip", "zinb"):
            mu *= 1.0 / (1.0 + math.exp(t[-1]))
        return mu

    def law(self, depth=0, *, tail=1e-12):
        """The fitted offspring law at ``depth`` as an :class:`~incnet.branching.OffspringLaw`.

        Truncated where the upper tail falls below ``tail`` and renormalised.
        """
        size = 64
        while True:
            pmf = self.pmf_at(depth, size)
            if 1.0 - pmf.sum() < tail or size > 1_000_000:
                break
            size *= 2
        keep = np.flatnonzero(np.cumsum(pmf) < 1.0 - tail)
        upto = int(keep[-1]) + 2 if keep.size else 1
        pmf = pmf[:upto]
        return OffspringLaw(pmf / pmf.sum(), name=f"fitted {self.model}")


def fit_recruitment(forest, model="negative_binomial", *, trend=False, max_iter=1000):
    r"""Fit the offspring law of an observed recruitment forest by maximum likelihood.

    .. math::

        \hat\theta = \arg\max_\theta \sum_i \log P_\theta(Y_i = y_i \mid d_i),
        \qquad \widehat{\mathrm{Cov}}(\hat\theta) = \Big[-\nabla^2 \ell(\hat\theta)\Big]^{-1}.

    Parameters
    ----------
    forest : array_like of int or networkx.DiGraph
        Parent array (``-1`` for roots) or a recruiter -> recruit DiGraph.
    model : {"negative_binomial", "poisson", "zip", "zinb"}
        The count law (see the module docstring).
    trend : bool, default False
        Let the log-mean drift linearly with depth.
    max_iter : int, default 1000
        Iterations of the optimiser.

    Returns
    -------
    RecruitmentFit
        ``.mean`` (fitted mean recruits), ``.params``, ``.stderr``, the log-likelihood, AIC, BIC,
        observed and expected frequency tables and a Pearson goodness-of-fit test; ``.law()``
        gives an :class:`~incnet.branching.OffspringLaw` to simulate from.

    Raises
    ------
    InvalidInputError
        For a malformed forest or an unknown model.
    ConvergenceError
        If the optimiser fails to converge (the last parameters are attached).

    See Also
    --------
    simulate_recruitment : simulate from ``fit.law()`` with ``net=None``.

    Notes
    -----
    Participants recruited late may not have had time to recruit: the likelihood treats every
    count as complete, so the fit is of the recruitment that happened. The Poisson fit without
    trend has the closed form :math:`\hat\mu = \bar y`, :math:`\mathrm{se} = \sqrt{\bar y / N}`.

    References
    ----------
    .. [1] Heckathorn, D. D., Jeffri, J. (2001). Finding the beat: using respondent-driven
       sampling to study jazz musicians. *Poetics* 28, 307-329.

    Examples
    --------
    >>> from incnet.simulate import fit_recruitment
    >>> fit = fit_recruitment([-1, 0, 0, 1, -1, 4], model="poisson")
    >>> round(fit.mean, 4), round(fit.stderr["mu"], 4)
    (0.6667, 0.3333)
    """
    from scipy.optimize import minimize

    model = check_method(model, MODELS, name="model")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    y_int, depth_int = offspring_counts(forest)
    y = y_int.astype(np.float64)
    depth = depth_int.astype(np.float64)
    n = y.size
    trend = bool(trend)
    theta0 = [math.log(max(y.mean(), 1e-3))]
    names = ["log_mu_intercept", "log_mu_slope"] if trend else ["log_mu"]
    if trend:
        theta0.append(0.0)
    if model in ("negative_binomial", "zinb"):
        theta0.append(0.0)
        names.append("log_dispersion")
    if model in ("zip", "zinb"):
        theta0.append(-1.0)
        names.append("logit_zero_inflation")
    theta0 = np.array(theta0)

    def negloglik(theta):
        value = -float(np.sum(_log_pmf(theta, y, depth, model, trend)))
        return value if math.isfinite(value) else 1e300

    opt = minimize(negloglik, theta0, method="BFGS", options={"maxiter": max_iter, "gtol": 1e-7})
    theta = opt.x
    converged = bool(opt.success or np.linalg.norm(_gradient(negloglik, theta)) < 1e-3 * max(1.0, n))
    if not converged:
        raise ConvergenceError(
            f"the {model} fit did not converge ({opt.message}); try another model or trend=False",
            last_iterate=theta, iterations=int(opt.nit),
        )
    H = _hessian(negloglik, theta)
    try:
        cov = np.linalg.inv(H)
        if np.any(np.diag(cov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full_like(H, np.nan)
    se_theta = np.sqrt(np.diag(cov))

    params, stderr = {}, {}
    pos = 0
    if trend:
        params["log_mu_intercept"], stderr["log_mu_intercept"] = float(theta[0]), float(se_theta[0])
        params["log_mu_slope"], stderr["log_mu_slope"] = float(theta[1]), float(se_theta[1])
        pos = 2
    else:
        mu = math.exp(theta[0])
        params["mu"], stderr["mu"] = mu, mu * float(se_theta[0])
        pos = 1
    if model in ("negative_binomial", "zinb"):
        alpha = math.exp(theta[pos])
        params["dispersion"], stderr["dispersion"] = alpha, alpha * float(se_theta[pos])
        pos += 1
    if model in ("zip", "zinb"):
        pi = 1.0 / (1.0 + math.exp(-theta[pos]))
        params["zero_inflation"], stderr["zero_inflation"] = pi, pi * (1 - pi) * float(se_theta[pos])

    loglik = -negloglik(theta)
    k = theta.size
    top = int(y_int.max())
    observed = np.bincount(y_int, minlength=top + 1).astype(np.float64)
    grid = np.arange(top + 1, dtype=np.float64)
    expected = np.zeros(top + 1)
    for d in np.unique(depth):
        at = depth == d
        probs = np.exp(_log_pmf(theta, grid, np.full(top + 1, d), model, trend))
        probs[-1] = max(0.0, 1.0 - probs[:-1].sum())  # the last bin collects the upper tail
        expected += at.sum() * probs
    chi2, dof, pvalue = _pearson(observed, expected, k)
    fitted_means = np.exp(theta[0] + (theta[1] * depth if trend else 0.0))
    if model in ("zip", "zinb"):
        fitted_means = fitted_means * (1.0 - params["zero_inflation"])
    return RecruitmentFit(
        mean=float(fitted_means.mean()),
        params=params,
        stderr=stderr,
        loglik=loglik,
        aic=2 * k - 2 * loglik,
        bic=k * math.log(n) - 2 * loglik,
        observed=observed.astype(np.int64),
        expected=expected,
        chi2=chi2,
        chi2_dof=dof,
        chi2_pvalue=pvalue,
        n_participants=n,
        model=model,
        trend=trend,
        converged=converged,
        iterations=int(opt.nit),
        _theta=theta,
        _covariance=cov,
    )


def _gradient(fun, x, step=1e-6):
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = step * max(1.0, abs(x[i]))
        g[i] = (fun(x + e) - fun(x - e)) / (2 * e[i])
    return g


def _pearson(observed, expected, n_params):
    """Pearson chi-square over bins merged from the top until each expects >= 5."""
    from scipy.stats import chi2 as chi2_dist

    obs, exp = [], []
    o_acc = e_acc = 0.0
    for o, e in zip(observed[::-1], expected[::-1]):
        o_acc += o
        e_acc += e
        if e_acc >= 5.0:
            obs.append(o_acc)
            exp.append(e_acc)
            o_acc = e_acc = 0.0
    if e_acc > 0 or o_acc > 0:
        if exp:
            obs[-1] += o_acc
            exp[-1] += e_acc
        else:
            obs.append(o_acc)
            exp.append(e_acc)
    obs = np.array(obs)
    exp = np.array(exp)
    dof = len(obs) - 1 - n_params
    if dof < 1 or np.any(exp <= 0):
        return math.nan, max(dof, 0), math.nan
    stat = float(np.sum((obs - exp) ** 2 / exp))
    return stat, dof, float(chi2_dist.sf(stat, dof))
