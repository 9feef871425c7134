## Times R's survey package on the data bench/analysis.py writes (same calls as there).
##   Rscript bench/analysis_survey.R data.csv [repeats]
## Prints one line per call: "RTIME <name> <seconds>" (minimum over the repeats).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
reps <- if (length(args) > 1) as.integer(args[2]) else 3L
d$q5 <- factor(d$q5, levels = c("L1", "L2", "L3", "L4", "L5"))
d$region <- factor(d$region, levels = c("North", "Central", "South"))
d$sex <- factor(d$sex, levels = c("F", "M"))
d$agegrp <- factor(d$agegrp, levels = c("18-34", "35-54", "55+"))
options(survey.lonely.psu = "fail")

tm <- function(expr) {
  e <- substitute(expr)
  min(replicate(reps, system.time(eval(e, parent.frame()))[["elapsed"]]))
}
mk <- function() svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d)
des <- mk()
n_pop <- sum(d$weight)
pop_sex <- data.frame(sex = c("F", "M"), Freq = n_pop * c(0.5, 0.5))
pop_age <- data.frame(agegrp = c("18-34", "35-54", "55+"), Freq = n_pop * c(0.3, 0.4, 0.3))
pop_region <- data.frame(region = c("North", "Central", "South"), Freq = n_pop * c(0.3, 0.3, 0.4))

out <- c(
  design = tm(mk()),
  mean = tm(svymean(~score, des)),
  proportions_5 = tm(svymean(~q5, des)),
  by_domain_mean = tm(svyby(~score, ~region, des, svymean)),
  by_domain_proportions = tm(svyby(~q5, ~region, des, svymean)),
  ciprop_by_domain = tm(svyby(~y, ~region, des, svyciprop, vartype = "ci")),
  chisq_5x3 = tm(svychisq(~q5 + region, des)),
  logistic_6_terms = tm(svyglm(y ~ score + sex + region + agegrp, des, family = quasibinomial())),
  rake_3_margins = tm(rake(des, list(~sex, ~agegrp, ~region), list(pop_sex, pop_age, pop_region)))
)
for (name in names(out)) cat(sprintf("RTIME %s %.6f\n", name, out[[name]]))
