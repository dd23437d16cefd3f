"""Calendar helpers: ISO weeks from monthly counts (each month spread evenly over its days)."""

from __future__ import annotations

import re

import pandas as pd


def weekly_estimate(births: pd.DataFrame, value: str = "deliveries") -> pd.DataFrame:
    """Deliveries per unit and ISO week, estimated from monthly counts by spreading each
    month evenly over its days (the sources are monthly; daily counts are not available).

    A week that straddles two months takes its share of each."""
    frame = births[["unit_id", "month", value]].reset_index(drop=True)
    n_days = frame["month"].dt.days_in_month
    daily = frame.loc[frame.index.repeat(n_days)]
    offset = pd.to_timedelta(daily.groupby(level=0).cumcount(), unit="D")
    daily = pd.DataFrame(
        {
            "unit_id": daily["unit_id"].to_numpy(),
            "day": (daily["month"] + offset).to_numpy(),
            "value": (daily[value].astype(float) / n_days.loc[daily.index]).to_numpy(),
        }
    )
    iso = daily["day"].dt.isocalendar()
    daily = daily.assign(iso_year=iso["year"].astype(int), iso_week=iso["week"].astype(int))
    weekly = daily.groupby(["unit_id", "iso_year", "iso_week"], as_index=False).agg(**{value: ("value", "sum"), "days": ("day", "nunique")})
    return weekly


def iso_year_week(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO year and week as numbers from validated ``YYYY-Www`` codes (the ``iso_week``
    column of the leave plan and of the postnatal capacity)."""
    codes = codes.astype(str)
    return codes.str[:4].astype(int), codes.str[-2:].astype(int)


def week_month(iso_year, iso_week) -> pd.Series:
    """The month (month start) of each ISO week's Thursday: the month whose monthly row
    (staffing, forecast) applies to the week, by the rule that assigns weeks to ISO years."""
    years = pd.Series(iso_year).astype(int).astype(str)
    weeks = pd.Series(iso_week).astype(int).map("{:02d}".format)
    thursday = pd.to_datetime(years.to_numpy() + "-W" + weeks.to_numpy() + "-4", format="%G-W%V-%u")
    return pd.Series(thursday.to_period("M").to_timestamp(), index=pd.Series(iso_year).index)


def summer_mask(frame: pd.DataFrame, weeks: tuple[int, int], year_col: str = "iso_year", week_col: str = "iso_week") -> pd.Series:
    return frame[week_col].between(weeks[0], weeks[1])


TERTIAL_RE = re.compile(r"(\d{4})-T([123])")


def tertial_months(tertial: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of a tertial (T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec)."""
    m = TERTIAL_RE.fullmatch(tertial) if isinstance(tertial, str) else None
    if not m:
        raise ValueError(f"{tertial!r} is not a tertial; allowed: YYYY-T1, YYYY-T2 or YYYY-T3")
    year, t = int(m[1]), int(m[2])
    first = pd.Timestamp(year, 4 * (t - 1) + 1, 1)
    return first, first + pd.DateOffset(months=3)
