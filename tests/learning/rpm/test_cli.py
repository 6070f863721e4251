"""`flask rpm …`: API keys and imports from the command line."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from learning.db import db
from learning.rpm.keys import verify_api_key
from learning.rpm.models import ApiKey, Enrolment


def test_create_api_key_prints_key_and_secret_last_and_stores_only_a_hash(app, runner, seed):
    result = runner.invoke(args=["rpm", "create-api-key", str(seed.organisation_id), "Luscii"])
    assert result.exit_code == 0, result.output
    key_id, secret = result.output.strip().splitlines()[-1].split(":")
    assert key_id.startswith("rpm_")
    assert len(key_id) == 20
    with app.app_context():
        key = db.session.scalar(select(ApiKey))
        assert key is not None
        assert (key.key_id, key.organisation_id, key.name) == (key_id, seed.organisation_id, "Luscii")
        assert secret not in key.secret_hash
        assert verify_api_key(key_id, secret) is not None
        assert verify_api_key(key_id, secret[:-1]) is None


def test_create_api_key_for_an_unknown_organisation_fails(runner, seed):
    result = runner.invoke(args=["rpm", "create-api-key", "999999", "Luscii"])
    assert result.exit_code == 1
    assert "no organisation with id 999999" in result.output


def test_revoke_api_key_and_list(app, runner, make_key, seed):
    key_id, secret = make_key(seed.organisation_id)
    assert runner.invoke(args=["rpm", "revoke-api-key", key_id]).exit_code == 0
    with app.app_context():
        assert verify_api_key(key_id, secret) is None
    assert runner.invoke(args=["rpm", "revoke-api-key", key_id]).exit_code == 1
    listing = runner.invoke(args=["rpm", "list-api-keys"]).output
    assert key_id in listing
    assert "revoked" in listing
    assert secret not in listing


def test_import_a_csv_file(app, runner, seed, tmp_path):
    path = tmp_path / "enrolments.csv"
    path.write_text(f"programme,patient_pid,enrolled_at\n{seed.hf},P-1,2025-03-01\n{seed.hf},P-2,2025-03-02\n")
    args = ["rpm", "import", str(path), "--kind", "enrolments", "--organisation", str(seed.organisation_id)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Imported 2 rows: 2 new, 0 changed, 0 unchanged." in result.output
    assert "0 new, 0 changed, 2 unchanged" in runner.invoke(args=args).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 2


def test_import_with_bad_rows_lists_them_and_imports_nothing(app, runner, seed, tmp_path):
    path = tmp_path / "enrolments.csv"
    path.write_text(
        f"programme;patient_pid;enrolled_at\n{seed.hf};P-1;2025-03-01\n{seed.hf};jan@example.nl;2025-03-02\n"
    )
    result = runner.invoke(
        args=["rpm", "import", str(path), "--kind", "enrolments", "--organisation", str(seed.organisation_id)]
    )
    assert result.exit_code == 1
    assert "enrolments.csv: row 3, patient_pid: This looks like an e-mail address" in result.output
    assert "1 problem(s); nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_import_a_json_file_and_refuse_another_organisations_programme(app, runner, seed, tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps({"records": [{"programme": seed.hf, "period": "2025-03", "count": 12, "source": "manual"}]})
    )
    args = ["rpm", "import", str(path), "--kind", "eligible-counts", "--organisation"]
    assert runner.invoke(args=[*args, str(seed.organisation_id)]).exit_code == 0
    refused = runner.invoke(args=[*args, str(seed.other_organisation_id)])
    assert refused.exit_code == 1
    assert f"not a programme of your organisation: {seed.hf}" in refused.output
