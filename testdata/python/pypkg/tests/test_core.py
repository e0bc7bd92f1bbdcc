from examplepkg import render


def test_render():
    assert render("Hello {{ name }}", {"name": "world"}) == "Hello world"
