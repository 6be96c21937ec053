from tak_gitops.errors import DesiredStateError, Diagnostic, Severity


def test_diagnostic_renders_path_line_col_code():
    d = Diagnostic("desired/x/NTJP-PROD.yaml", 12, 5, "TG201", "invalid HSA-id 'x y'")
    assert str(d) == "desired/x/NTJP-PROD.yaml:12:5: TG201 invalid HSA-id 'x y'"


def test_warning_is_marked_and_errors_counted():
    w = Diagnostic("a.yaml", 1, 1, "TG901", "near-duplicate", Severity.WARNING)
    e = Diagnostic("a.yaml", 2, 1, "TG201", "bad")
    assert str(w) == "a.yaml:1:1: TG901 warning: near-duplicate"
    err = DesiredStateError([e, w])
    assert err.diagnostics == (w, e)
    assert str(err) == "1 error(s) in the desired state"
