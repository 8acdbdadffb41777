// The overview's charts as Chart.js configurations, built from the dashboard's
// figures. Pure functions (tested); the Chart component only draws them.
// No animation: an old office PC draws once, and a printout shows the final state.

import type { ChartConfiguration } from "chart.js";

// Okabe–Ito: told apart by people with colour-blind vision; tables carry the numbers too.
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const TARGET = "#B42318";

type Translate = (key: string, params?: Record<string, string | number>) => string;

const base = {
  animation: false as const,
  responsive: true,
  maintainAspectRatio: false,
};

export interface OfficerSeries {
  name: string;
  perDay: number[];
}

/** Decisions per day per officer (bars) against the office's default quota (line). */
export function decisionsPerDay(
  days: string[],
  officers: OfficerSeries[],
  quota: number,
  t: Translate,
  working: boolean[] = [],
): ChartConfiguration<"bar" | "line"> {
  return {
    type: "bar",
    data: {
      labels: days,
      datasets: [
        ...officers.map((o, i) => ({
          type: "bar" as const,
          label: o.name,
          data: o.perDay,
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
        {
          type: "line" as const,
          label: t("chart.quota_line", { n: quota }),
          // No quota on a weekend or a holiday: the line breaks there.
          data: days.map((_, i) => (working[i] === false ? null : quota)),
          borderColor: TARGET,
          borderDash: [6, 4],
          borderWidth: 2,
          pointRadius: 0,
        },
      ],
    },
    options: {
      ...base,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t("chart.decisions") } } },
    },
  };
}

/** Waiting declarations per age bucket; the old ones in the alarm colour. */
export function backlogAge(labels: string[], counts: number[], t: Translate): ChartConfiguration<"bar"> {
  return {
    type: "bar",
    data: {
      labels,
      datasets: [
        {
          label: t("chart.waiting"),
          data: counts,
          backgroundColor: counts.map((_, i) => (i >= 2 ? "#D55E00" : "#56B4E9")),
          maxBarThickness: 64,
        },
      ],
    },
    options: { ...base, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

export interface UnitPoint {
  code: string;
  percent: number | null;
}

/** Each unit's registered share (bars, furthest behind first) against the target (line). */
export function unitCoverage(units: UnitPoint[], target: number, t: Translate): ChartConfiguration<"bar" | "line"> {
  const shown = units.filter((u) => u.percent !== null);
  return {
    type: "bar",
    data: {
      labels: shown.map((u) => u.code),
      datasets: [
        {
          type: "bar" as const,
          label: t("chart.registered_pct"),
          data: shown.map((u) => u.percent ?? 0),
          backgroundColor: shown.map((u) => ((u.percent ?? 0) >= target ? "#009E73" : "#E69F00")),
          maxBarThickness: 64,
        },
        {
          type: "line" as const,
          label: t("chart.target_line", { n: target }),
          data: shown.map(() => target),
          borderColor: TARGET,
          borderDash: [6, 4],
          borderWidth: 2,
          pointRadius: 0,
        },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "%" } } } },
  };
}

/** The office's registered share day by day, with the target to reach by the deadline. */
export function coverageTrend(
  days: string[],
  percents: (number | null)[],
  target: number,
  t: Translate,
): ChartConfiguration<"line"> {
  return {
    type: "line",
    data: {
      labels: days,
      datasets: [
        {
          label: t("chart.office_pct"),
          data: percents.map((p) => p ?? 0),
          borderColor: "#0072B2",
          backgroundColor: "#0072B2",
          pointRadius: 1,
        },
        {
          label: t("chart.target_line", { n: target }),
          data: days.map(() => target),
          borderColor: TARGET,
          borderDash: [6, 4],
          pointRadius: 0,
        },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "%" } } } },
  };
}

/** Reasons given for re-submit and reject, most frequent first (horizontal bars). */
export function reasons(items: { label: string; count: number }[], t: Translate): ChartConfiguration<"bar"> {
  return {
    type: "bar",
    data: {
      labels: items.map((r) => r.label),
      datasets: [
        { label: t("chart.times_given"), data: items.map((r) => r.count), backgroundColor: "#CC79A7", maxBarThickness: 28 },
      ],
    },
    options: {
      ...base,
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}

/** "dd/mm" of an ISO day, as the axis shows it. */
export function dayLabel(iso: string): string {
  const [, m, d] = iso.split("-");
  return `${d}/${m}`;
}
