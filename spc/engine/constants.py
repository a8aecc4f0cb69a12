"""Constants of the SPC engine, each with the reference it comes from.

NHSRplotthedots = nhs-r-community/NHSRplotthedots (commit 050b07d),
qicharts2 = anhoej/qicharts2 (commit 1b9487e).
"""

# Making Data Count process-limit multiplier of the mean moving range: 3 / d2 rounded to 2.66.
# NHSRplotthedots R/ptd_spc_standard.R: `limit <- 2.66`.
MDC_LIMIT = 2.66
# Multiplier for the MDC "close to the limit" (2-sigma) lines.
# NHSRplotthedots R/ptd_spc_standard.R: `limitclose <- 2 * (limit / 3)`.
MDC_LIMIT_CLOSE = 2 * (MDC_LIMIT / 3)
# MDC 1-sigma line multiplier; NHSRplotthedots draws none, we keep its convention of limit / 3.
MDC_LIMIT_ONE_SIGMA = MDC_LIMIT / 3

# d2 for moving ranges of two points: sigma = mean MR / 1.128.
# qicharts2 R/helper.functions.R qic.i(): `stdev <- amr / 1.128` (Montgomery 6.33).
D2 = 1.128

# Nelson (1982) screening: moving ranges at or above 3.267 x mean MR are dropped before the
# mean MR is recomputed. NHSRplotthedots R/ptd_spc_standard.R (`mr < 3.267 * amr`) and
# qicharts2 R/helper.functions.R qic.i(), qic.up(), qic.pp() (`ulmr <- 3.267 * amr`).
MR_SCREEN_FACTOR = 3.267
# Upper limit of the moving-range chart: D4 = 3.267. qicharts2 qic.mr(): `ucl <- 3.267 * cl`.
MR_UCL_FACTOR = 3.267

# Sigma multipliers of the control, 2-sigma and 1-sigma lines (qicharts2 qic.c/u/p/up/pp).
SIGMA_LIMIT = 3
SIGMA_WARNING = 2

# Making Data Count run rules: 7 points. NHSRplotthedots R/ptd_calculate_point_type.R
# (ptd_seven_point_one_side_mean, ptd_seven_point_trend).
DEFAULT_SHIFT_LENGTH = 7
DEFAULT_TREND_LENGTH = 7

# Anhøj crossings limit: the 5th percentile of Binomial(n - 1, 0.5).
# qicharts2 R/helper.functions.R runs.analysis(): `qbinom(0.05, n.useful - 1, 0.5)`.
CROSSINGS_QUANTILE = 0.05
# Anhøj longest-run limit: round(log2(n)) + 3. qicharts2 runs.analysis() (Schilling 2012).
LONGEST_RUN_OFFSET = 3

# NHSRplotthedots R/ptd_add_short_group_warnings.R: groups with n < 13 get trial limits.
SHORT_PHASE_WARNING = 13

# Points in the "recent" summary window (ours: four weekly points, about a month).
DEFAULT_RECENT_N = 4

# t chart transform: y^(1/3.6) makes exponential times between events nearly normal; limits
# are computed there and back-transformed with ^3.6. qicharts2 R/helper.functions.R qic.t()
# (Nelson 1994, "A control chart for parts-per-million nonconforming items").
T_POWER = 3.6
