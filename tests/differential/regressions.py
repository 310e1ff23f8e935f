"""Documents on which the judges once disagreed, or on which a judge is known to deviate.

Each is kept with the verdict that is right now: ``None`` when all judges must agree,
or the name of the :data:`~tests.differential._judges.EXPLAINED` entry that accounts
for the one judge that differs. ``tests/fuzz/campaign.py`` writes new findings in this
form; a finding is fixed in the product, then added here.
"""

from __future__ import annotations

from typing import NamedTuple


class Regression(NamedTuple):
    """One kept document and the explanation its disagreement must have (if any)."""

    name: str
    data: bytes
    explained_by: str | None = None
    dialect: str = "legs"  # what the document is judged as


XSI = b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'

REGRESSIONS: tuple[Regression, ...] = (
    # StartStream's URL: exactly one of url and streamUrl, which XSD 1.0 cannot say.
    Regression(
        "StartStream with neither url nor streamUrl",
        b'<Flow><StartStream streamType="bidirectional"/></Flow>',
        "exactly one of url and streamUrl (EX205, EX206)",
    ),
    Regression(
        "StartStream with both url and streamUrl",
        b'<Flow><StartStream url="wss://a.example/s" streamUrl="wss://a.example/s"/></Flow>',
        "exactly one of url and streamUrl (EX205, EX206)",
    ),
    Regression(
        "ideographic space and a StartStream with no URL",
        '<Flow>\u3000<StartStream secureDtmf="true"/><Hangup/></Flow>'.encode(),
        "Unicode spaces between elements (EX104)",
    ),
    Regression(
        "StartStream with no URL and an empty CDATA section",
        b'<Flow><StartStream streamType="bidirectional"><![CDATA[]]></StartStream></Flow>',
        "a one-of group error and an empty CDATA section in an empty verb",
    ),
    Regression("StartStream with url", b'<Flow><StartStream url="wss://a.example/s"/></Flow>'),
    # Trimmed text: XML white space around it is fine, other Unicode spaces are not.
    Regression(
        "indented StartPlay URL",
        b"<Flow>\n  <StartPlay>\n    https://a.example/x.wav\n  </StartPlay>\n</Flow>",
    ),
    Regression(
        "no-break space after SendDigits digits",
        "<Flow><SendDigits>12\u00a0</SendDigits></Flow>".encode(),
        "Unicode spaces around a trimmed value (EX302)",
    ),
    Regression(
        "tab inside a StartPlay URL",
        b"<Flow><StartPlay>https://a.example/x\ty.wav</StartPlay></Flow>",
    ),
    # A classic Dial's number is text in mixed content: only the walk checks it.
    Regression(
        "classic Dial without a number",
        b"<Response><Dial/></Response>",
        "the text of a classic Dial (EX302, EX104)",
        "classic",
    ),
    Regression(
        "classic Dial with text beside Number",
        b"<Response><Dial>+91<Number>+919876543210</Number></Dial></Response>",
        "the text of a classic Dial (EX302, EX104)",
        "classic",
    ),
    # So is a classic Say's text when it holds SSML markup.
    Regression(
        "classic Say with markup and no words",
        b"<Response><Say> <break/> </Say></Response>",
        "the text of a classic Dial (EX302, EX104)",
        "classic",
    ),
    Regression(
        "classic Say with SSML",
        b'<Response><Say>Code <say-as interpret-as="digits">12</say-as><break/></Say></Response>',
        dialect="classic",
    ),
    Regression(
        "classic Number outside a Dial",
        b"<Response><Number>+919876543210</Number></Response>",
        dialect="classic",
    ),
    Regression(
        "bridge Refer",
        b'<Flow><Refer bridgeEventEndpoint="grpc://events.example.com"/></Flow>',
        dialect="bridge",
    ),
    Regression("leg-only verb sent to a bridge", b"<Flow><Hangup/></Flow>", dialect="bridge"),
    # The engine skipped a second byte order mark (libxml2 skips one silently after we
    # strip the first); lxml, xmlschema and xmllint refuse it.
    Regression("double BOM", b"\xef\xbb\xbf\xef\xbb\xbf<Flow><Answer/></Flow>"),
    # Open integer ranges took any length; past Python's 4300-digit limit the reader
    # crashed. They now end at 18 digits, in the pattern, so in the XSD too.
    Regression("19 digits", b'<Flow><Gather numDigits="1000000000000000000"/></Flow>'),
    Regression("18 digits", b'<Flow><Gather numDigits="999999999999999999"/></Flow>'),
    Regression(
        "leading zeros",
        b'<Flow><StartPlay loop="' + b"0" * 5000 + b'7">https://a.example/x</StartPlay></Flow>',
    ),
    Regression(
        "xsi:type naming the element's own type",
        b"<Flow " + XSI + b'><Say xsi:type="SayType">Hi</Say></Flow>',
        "xsi:type and xsi:nil (EX203)",
    ),
    Regression(
        "xsi:nil false",
        b"<Flow " + XSI + b'><Hangup xsi:nil="false"/></Flow>',
    ),
    Regression(
        "xsi:type with an undeclared prefix (xmlschema raised)",
        b"<Flow " + XSI + b'><Say xsi:type="xs:string">Hi</Say></Flow>',
    ),
    Regression(
        "ideographic space between verbs",
        "<Flow>\u3000\u3000<JoinBridge bridgeSid='B'/></Flow>".encode(),
        "Unicode spaces between elements (EX104)",
    ),
    Regression(
        "ideographic space in an empty Hold",
        "<Flow><Hold>\u3000</Hold></Flow>".encode(),
        "Unicode spaces between elements (EX104)",
    ),
    Regression(
        "no-break space in Gather",
        "<Flow><Gather>\u00a0<Say>x</Say>\u2028</Gather></Flow>".encode(),
        "Unicode spaces between elements (EX104)",
    ),
    Regression(
        "ideographic space in an empty verb", "<Flow><Answer>\u3000</Answer></Flow>".encode()
    ),
    Regression(
        "a verb as the root, with xsi:type",
        b"<Hold " + XSI + b' xsi:type="MuteType"/>',
        "a root other than Flow, with xsi:type (EX101)",
    ),
    Regression(
        "schema location hints",
        b"<Flow " + XSI + b' xsi:noNamespaceSchemaLocation="x.xsd"><Answer/></Flow>',
    ),
    Regression(
        "comment inside a URL", b"<Flow><StartPlay>https://a<!--c-->.b/x</StartPlay></Flow>"
    ),
    Regression(
        "comment and space inside a URL",
        b"<Flow><StartPlay>https://a<!--c--> .b/x</StartPlay></Flow>",
    ),
    Regression("only a comment in Say", b"<Flow><Say> <!--c--> </Say></Flow>"),
    Regression("PI in an empty verb", b"<Flow><Answer><?pi x?></Answer></Flow>"),
    Regression("character reference tab in a SID", b'<Flow><JoinBridge bridgeSid="a&#9;"/></Flow>'),
    Regression(
        "Arabic-Indic digits", '<Flow><StartPlay loop="١">https://a/</StartPlay></Flow>'.encode()
    ),
    Regression("xml:lang", b'<Flow><Say xml:lang="en">x</Say></Flow>'),
    Regression(
        "empty CDATA in an empty verb",
        b"<Flow><Answer><![CDATA[]]></Answer></Flow>",
        "an empty CDATA section in an empty verb",
    ),
    Regression("blank CDATA in an empty verb", b"<Flow><Answer><![CDATA[ ]]></Answer></Flow>"),
    Regression("blank CDATA between verbs", b"<Flow><![CDATA[ ]]><Answer/></Flow>"),
    Regression("empty CDATA in Hold", b"<Flow><Hold><![CDATA[]]></Hold></Flow>"),
    Regression("CDATA text", b"<Flow><Say><![CDATA[<b>&]]></Say></Flow>"),
)
