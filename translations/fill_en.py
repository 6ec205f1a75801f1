#!/usr/bin/env python3
"""Fills the English plural forms of koan_en.ts from the source texts: "%n session(s)" becomes
"%n session" (one) and "%n sessions" (other). English needs no other translation: without these
forms Qt shows the source text, "1 session(s)". Run after `update_translations`; prints what it
could not fill."""
import html
import pathlib
import re
import sys

path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("koan_en.ts"))
text = path.read_text(encoding="utf-8")


def forms(source):
    return [source.replace("(s)", ""), source.replace("(s)", "s")]


def fill(m):
    body = m.group(0)
    if 'numerus="yes"' not in m.group(1) or 'type="unfinished"' not in body:
        return body
    one, other = (html.escape(f, quote=False) for f in forms(html.unescape(m.group(2))))
    return re.sub(r'<translation type="unfinished">.*?</translation>',
                  f"<translation><numerusform>{one}</numerusform><numerusform>{other}</numerusform></translation>",
                  body, flags=re.S)


text = re.sub(r'(<message[^>]*>).*?<source>(.*?)</source>.*?</message>', fill, text, flags=re.S)
path.write_text(text, encoding="utf-8")
left = len(re.findall(r'<message numerus="yes">(?:(?!</message>).)*type="unfinished"', text, flags=re.S))
print(f"unfilled plurals: {left}")
