"""Synthetic workflows over realistic pages (`scribeagent data synth`).

`families` holds the page families as data tables, `pages`/`markup` render them, `generate` turns a
seed into workflows. Families are split into train and held-out (`families.HELD_OUT`).
"""
