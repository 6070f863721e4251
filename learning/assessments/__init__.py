"""Periodic NASSS and CFIR assessments per RPM programme: a record of judgements shown beside the metrics."""
