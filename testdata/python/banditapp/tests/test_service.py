from app import service


def test_admin():
    assert service.check_admin(type("U", (), {"is_admin": True})())
