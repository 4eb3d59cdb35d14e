#!/usr/bin/python3
"""Writes the drift example's tables beside this script from a fixed seed (NumPy's PCG64), so that
the outputs the documents show can be checked:

- loans-train.csv: 4000 loan applications the model was trained on (header
  date,age,income,amount,channel,employed,region,score), dates in January 2026.
- loans-week.csv: 2800 applications of one week, 2026-03-02 to 2026-03-08, 400 a day. From Thursday
  (2026-03-05) on, income is reported 15% higher, a new channel "app" takes a fifth of the
  applications from "web", and amount goes missing for one application in ten; age, employed, region
  and score keep their distributions.

    /usr/bin/python3 examples/data/make_drift_tables.py
"""
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def applications(rng, n, start, days, changed):
    day = np.repeat(np.arange(days), n // days)
    seconds = rng.integers(0, 86400, n)
    date = pd.Timestamp(start) + pd.to_timedelta(day, unit="D") + pd.to_timedelta(seconds, unit="s")
    late = changed & (day >= 3)
    age = np.clip(rng.normal(41, 12, n), 18, 90).round()
    income = rng.lognormal(10.6, 0.5, n) * np.where(late, 1.15, 1.0)
    amount = (income * rng.uniform(0.1, 0.6, n)).round(-1)
    amount = np.where(late & (rng.uniform(size=n) < 0.1), np.nan, amount)
    channel = rng.choice(["web", "branch", "phone", "partner"], n, p=[0.5, 0.25, 0.15, 0.1])
    channel = np.where(late & (channel == "web") & (rng.uniform(size=n) < 0.4), "app", channel)
    employed = rng.uniform(size=n) < 0.82
    region = rng.choice(["north", "south", "east", "west"], n, p=[0.3, 0.3, 0.2, 0.2])
    score = rng.normal(650, 60, n).round()
    return pd.DataFrame({"date": date.strftime("%Y-%m-%dT%H:%M:%S"), "age": age, "income": income.round(2),
                         "amount": amount, "channel": channel, "employed": employed, "region": region,
                         "score": score})


def main():
    rng = np.random.default_rng(20261207)
    train = applications(rng, 4000, "2026-01-05", 20, changed=np.zeros(4000, bool))
    week = applications(rng, 2800, "2026-03-02", 7, changed=np.ones(2800, bool))
    train.to_csv(os.path.join(HERE, "loans-train.csv"), index=False)
    week.to_csv(os.path.join(HERE, "loans-week.csv"), index=False)


if __name__ == "__main__":
    main()
