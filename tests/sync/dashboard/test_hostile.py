"""The dashboard inside the real app (`create_app`): odd paths, forms and cookies get a 4xx or a page, never a 5xx."""

from __future__ import annotations

from sync.server.app import create_app
from tests.sync.dashboard.conftest import OUTLET_A, TestClient, login

ODD_OUTLETS = ["%00", "a%00b", "%C3%A9" * 20, "x" * 300, "..%2F..%2Fetc%2Fpasswd", "%27%3B%20DROP%20TABLE%20outlet%3B--",
               OUTLET_A + "%0A", "%F0%9F%98%80"]
ODD_QUERIES = ["from=%00", "from=2026-02-30", "to=9999-99-99", "from=" + "9" * 500, "from=2026-11-01%0A",
               "from=-2026-11-01"]


def _gets(client: TestClient) -> list[int]:
    statuses = []
    for odd in ODD_OUTLETS:
        statuses.append(client.get(f"/outlet/{odd}", follow_redirects=False).status_code)
        statuses.append(client.get(f"/outlet/{odd}/sales.csv", follow_redirects=False).status_code)
    for query in ODD_QUERIES:
        statuses.append(client.get(f"/outlet/{OUTLET_A}/sales.csv?{query}", follow_redirects=False).status_code)
    for query in ("urut=%00", "urut=" + "z" * 5000, "urut=__class__"):
        statuses.append(client.get(f"/?{query}", follow_redirects=False).status_code)
    return statuses


def _posts(client: TestClient) -> list[int]:
    token = "A" * 43
    forms = [
        {"content": b"username=a%00b&password=x%00y&csrf_token=" + token.encode(),
         "headers": {"content-type": "application/x-www-form-urlencoded", "cookie": f"kkmp_login_csrf={token}"}},
        {"content": b"username=\xff\xfe&password=x", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        {"content": b"a=" + b"x" * 40_000, "headers": {"content-type": "application/x-www-form-urlencoded"}},
        {"content": b"&".join(b"f%d=1" % i for i in range(100)),
         "headers": {"content-type": "application/x-www-form-urlencoded"}},
        {"content": b"--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx\r\n--b--\r\n",
         "headers": {"content-type": "multipart/form-data; boundary=b"}},
        {"content": b"username=dinas.kota&password=x", "headers": {
            "content-type": "application/x-www-form-urlencoded", "cookie": 'kkmp_login_csrf="a;b\\"c"'}},
        {"content": b"", "headers": {}},
    ]
    statuses = []
    for form in forms:
        for path in ("/login", "/logout"):
            statuses.append(client.post(path, follow_redirects=False, **form).status_code)  # type: ignore[arg-type]
    return statuses


def test_odd_input_never_gets_a_server_error(city) -> None:
    with TestClient(create_app(city.engine), base_url="http://127.0.0.1") as client:
        anonymous = _gets(client) + _posts(client)
        weird_cookie = client.get("/", headers={"cookie": "kkmp_session=%00%00; kkmp_login_csrf=\u00e9".encode()},
                                  follow_redirects=False)
        assert weird_cookie.status_code == 303
        assert login(client, "dinas.kota").status_code == 303
        signed_in = _gets(client)
        assert client.get(f"/outlet/{OUTLET_A}").status_code == 200  # the session survived the abuse
        signed_in += _posts(client)
    assert all(status < 500 for status in anonymous + signed_in), anonymous + signed_in
    assert set(signed_in[:2 * len(ODD_OUTLETS)]) == {404}
