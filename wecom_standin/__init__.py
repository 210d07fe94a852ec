"""A local stand-in for the WeCom (企业微信) server: API server, callback sender, independent crypto.

    with StandIn(Corp.sample(), clock=fake_clock) as standin:   # API base: standin.url + "/cgi-bin/"
        ...                                                      # point the client under test at it
        standin.delivered("app"); standin.count("message/send"); standin.fail_next("message/send", 45009)

    CallbackClient(url, token, aes_key, corp_id).send(xml.contact_added("zhangsan", "wmCust0001"))

Imports nothing from the project (bot, handlers, scrm, jobs) and does not use wechatpy.
"""

from . import xml
from .callbacks import CallbackClient, Delivery
from .clock import FakeClock
from .corp import Corp
from .server import StandIn, create_app
from .state import StandInState

__all__ = ["CallbackClient", "Corp", "Delivery", "FakeClock", "StandIn", "StandInState", "create_app", "xml"]
