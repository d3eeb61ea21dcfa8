// Erlang C (M/M/c) staffing arithmetic. Pure functions, no I/O.
//
// A = λ·h is the offered load in Erlangs (λ arrivals per hour, h mean handling time in hours).
// With c agents (c > A) the probability that an arrival waits is Erlang C, and the share
// answered within t is 1 − C(c, A)·e^(−(c − A)·t/h).

/** Erlang B by the stable recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)). */
export function erlangB(agents: number, load: number): number {
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (load * b) / (k + load * b);
  return b;
}

/** Probability that an arrival has to wait (Erlang C); 1 when the agents cannot keep up (c ≤ A). */
export function erlangC(agents: number, load: number): number {
  if (load <= 0) return 0;
  if (agents <= load) return 1;
  const b = erlangB(agents, load);
  return (agents * b) / (agents - load * (1 - b));
}

/** Share of arrivals answered within `targetMinutes`, with `agents` agents. */
export function serviceLevel(agents: number, arrivalsPerHour: number, handlingMinutes: number, targetMinutes: number): number {
  if (arrivalsPerHour <= 0) return 1;
  const load = (arrivalsPerHour * handlingMinutes) / 60;
  if (agents <= load) return 0;
  return 1 - erlangC(agents, load) * Math.exp((-(agents - load) * targetMinutes) / handlingMinutes);
}

/**
 * The smallest number of agents c for which P(wait ≤ target) ≥ `level` (0 when nobody
 * arrives). Bounded search: the answer is at most ⌈A⌉ plus a margin that grows like √A.
 */
export function agentsNeeded(arrivalsPerHour: number, handlingMinutes: number, targetMinutes: number, level: number): number {
  if (!(arrivalsPerHour > 0)) return 0;
  const load = (arrivalsPerHour * handlingMinutes) / 60;
  const limit = Math.ceil(load) + 20 + Math.ceil(10 * Math.sqrt(load));
  for (let agents = Math.max(1, Math.floor(load)); agents <= limit; agents++) {
    if (serviceLevel(agents, arrivalsPerHour, handlingMinutes, targetMinutes) >= level) return agents;
  }
  return limit;
}
