"""Typed claims: statistics, dates, actors and policy levers (the extract stage).

`extract.py` runs the extractors (imported only when building an index, so `rkb ask` stays
fast); `query.py` selects claims from an index; `lexicon.py` holds the phrase tables.
"""

KINDS = ("statistic", "date", "actor", "policy_lever")
LEVERS = (
    "tariff",
    "trade_agreement",
    "tax_incentive",
    "permitting_reform",
    "deregulation",
    "energy_supply",
    "equity_stake",
    "public_finance",
    "subsidy",
    "export_control",
    "export_promotion",
    "industrial_cluster",
    "workforce",
    "rd_commercialization",
    "procurement",
)
