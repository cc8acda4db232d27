"""One evaluation: request read and checked, rules run, decision assembled."""
