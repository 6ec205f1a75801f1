#!/usr/bin/env python3
"""Fills German translations into koan_de.ts after `cmake --build build --target update_translations`.
Keeps existing translations; prints the sources still untranslated."""
import html, re, sys, pathlib

DE = {
 "Time": "Zeit", "Reason": "Grund", "Subject": "Subjekt", "Remote": "Gegenstelle", "Path": "Pfad", "Details": "Details",
 "Filter by reason, subject, remote, path…": "Nach Grund, Subjekt, Gegenstelle, Pfad filtern…", "Clear": "Leeren",
 "Reset selected to defaults": "Auswahl auf Standardwerte zurücksetzen", "Invalid value": "Ungültiger Wert",
 "Double-click a cell to edit. Changes apply to the running server at once and are saved to your settings override file. Bold values differ from the entity's defaults.":
   "Zum Bearbeiten doppelklicken. Änderungen gelten sofort für den laufenden Server und werden in Ihrer Einstellungsdatei gespeichert. Fett gedruckte Werte weichen von den Standardwerten ab.",
 "%1: applied and saved.": "%1: übernommen und gespeichert.", "%1: %2": "%1: %2",
 "server default": "Serverstandard", "required": "erforderlich", "not required": "nicht erforderlich",
 "allowed": "erlaubt", "read-only": "nur lesen", "Entity": "Entität", "Tool prefix": "Tool-Präfix",
 "Description": "Beschreibung", "Mutations": "Änderungen", "Authentication": "Authentifizierung",
 "Required scopes": "Erforderliche Scopes", "Enabled transports": "Aktivierte Transporte",
 "List transports (Stdio, HttpSse, StreamableHttp, Operator), or All / None": "Transporte auflisten (Stdio, HttpSse, StreamableHttp, Operator) oder All / None",
 'Unknown transport "%1": use Stdio, HttpSse, StreamableHttp, Operator, All or None': 'Unbekannter Transport „%1“: Stdio, HttpSse, StreamableHttp, Operator, All oder None verwenden',
 "Tool prefix \"%1\" must be lower-case letters, digits and '-' (e.g. trial-site)": "Tool-Präfix „%1“ darf nur Kleinbuchstaben, Ziffern und „-“ enthalten (z. B. trial-site)",
 "The description cannot be empty: clients show it to models": "Die Beschreibung darf nicht leer sein: Clients zeigen sie Modellen",
 'Authentication must be "server default", "required" or "not required"': 'Authentifizierung muss „Serverstandard“, „erforderlich“ oder „nicht erforderlich“ sein',
 '"%1" is not a valid OAuth scope': '„%1“ ist kein gültiger OAuth-Scope',
 "active connections": "aktive Verbindungen", "heartbeats / 5 s": "Heartbeats / 5 s",
 "Last 10 minutes (one sample every 5 s)": "Letzte 10 Minuten (ein Messwert alle 5 s)",
 "Run": "Ausführen", "The result appears here.": "Das Ergebnis erscheint hier.", "Fix the form first:\n- %1": "Bitte zuerst das Formular korrigieren:\n- %1",
 "Running %1…": "%1 wird ausgeführt…", "%1 is not available any more (disabled or renamed).": "%1 ist nicht mehr verfügbar (deaktiviert oder umbenannt).",
 "%1 in %2 ms\n\n%3": "%1 in %2 ms\n\n%3", "Error": "Fehler", "OK": "OK", "Koan MCP console": "Koan-MCP-Konsole",
 "Sessions": "Sitzungen", "Heartbeats": "Heartbeats", "Auth failures": "Anmeldefehler", "Entities && overrides": "Entitäten && Overrides",
 "Tool calls": "Tool-Aufrufe", "%1 · environment %2 · authentication %3": "%1 · Umgebung %2 · Authentifizierung %3",
 "HTTP not listening": "HTTP lauscht nicht", "off": "aus", "on": "an", "sessions %1 / %2": "Sitzungen %1 / %2",
 "auth failures %1": "Anmeldefehler %1", "set": "setzen", "%1: invalid JSON (%2)": "%1: ungültiges JSON (%2)",
 "%1 is required": "%1 ist erforderlich", "%1 s": "%1 s", "%1 min": "%1 min", "%1 h %2 min": "%1 h %2 min",
 "no stream": "kein Stream", "waiting": "wartet", "healthy": "gesund", "late": "verspätet", "missed": "ausgeblieben",
 "Era": "Ära", "stateless caller (%1)": "zustandsloser Aufrufer (%1)", "listen stream (%1)": "Listen-Stream (%1)",
 "session": "Sitzung", "session (%1)": "Sitzung (%1)",
 "%1 is a 2026-07-28 caller: it holds no session or stream to disconnect.": "%1 ist ein Aufrufer nach 2026-07-28: Er hält keine Sitzung und keinen Stream, der getrennt werden könnte.",
 "anonymous": "anonym", "Session": "Sitzung", "Trace": "Trace", "Transport": "Transport", "Client": "Client", "User agent": "User-Agent",
 "Age": "Alter", "Last activity": "Letzte Aktivität", "Last heartbeat": "Letzter Heartbeat", "Heartbeat": "Heartbeat",
 "In": "Ein", "Out": "Aus", "Queued": "Wartend", "Filter by id, transport, client, subject, remote…": "Nach ID, Transport, Client, Subjekt, Gegenstelle filtern…",
 "Disconnect session…": "Sitzung trennen…", "Disconnect session": "Sitzung trennen", "Select a session first.": "Bitte zuerst eine Sitzung auswählen.",
 "Disconnect session %1? Its streams are closed; the client has to reconnect.": "Sitzung %1 trennen? Ihre Streams werden geschlossen; der Client muss sich neu verbinden.",
 "ok": "ok", "error": "Fehler", "Tool": "Tool", "Duration": "Dauer", "Outcome": "Ergebnis",
 "Select a call to see its request and response.": "Einen Aufruf auswählen, um Anfrage und Antwort zu sehen.",
 "Re-run selected call": "Ausgewählten Aufruf wiederholen", "Invoke a tool as the operator": "Tool als Operator aufrufen",
 "Session %1 · %2 · %3 ms\n\nRequest:\n%4\nResponse:\n%5": "Sitzung %1 · %2 · %3 ms\n\nAnfrage:\n%4\nAntwort:\n%5",
 "Disable HTTP+SSE transport": "HTTP+SSE-Transport abschalten",
 "EnableHttpSseTransport: ON": "EnableHttpSseTransport: AN", "EnableHttpSseTransport: OFF": "EnableHttpSseTransport: AUS",
 "(not listening)": "(lauscht nicht)",
 "HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   bind %6":
   "HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   Bindung %6",
}
NUMERUS = {"Turn EnableHttpSseTransport off?\n\n%n active legacy session(s) will receive a final event and be closed; new HTTP+SSE requests will get 503 until it is turned on again. STDIO keeps working.":
   ["EnableHttpSseTransport abschalten?\n\n%n aktive Legacy-Sitzung erhält ein letztes Ereignis und wird geschlossen; neue HTTP+SSE-Anfragen erhalten 503, bis der Schalter wieder an ist. STDIO funktioniert weiter.",
    "EnableHttpSseTransport abschalten?\n\n%n aktive Legacy-Sitzungen erhalten ein letztes Ereignis und werden geschlossen; neue HTTP+SSE-Anfragen erhalten 503, bis der Schalter wieder an ist. STDIO funktioniert weiter."]}

DE.update({
 "Overrides": "Overrides", "Records": "Datensätze", "Search": "Suchen", "Search field": "Suchfeld",
 "The field to match: id, or a field of the records (equality)": "Das zu vergleichende Feld: id oder ein Feld der Datensätze (Gleichheit)",
 "Search value": "Suchwert", "Value to match; empty lists the first %1 records": "Gesuchter Wert; leer listet die ersten %1 Datensätze",
 "Search records": "Datensätze suchen", "Versions of the record": "Versionen des Datensatzes",
 "Select two versions to compare them": "Zwei Versionen auswählen, um sie zu vergleichen",
 "Compare from version": "Vergleichen ab Version", "Compare to version": "Vergleichen bis Version",
 "Changes between the two versions": "Änderungen zwischen den beiden Versionen",
 "Open a record and choose two versions to see what changed.": "Einen Datensatz öffnen und zwei Versionen wählen, um die Änderungen zu sehen.",
 "&Entity:": "&Entität:", "&Find where": "&Suchen, wo", "Versions": "Versionen", "Compare &from": "Vergleichen &von", "&to": "&bis",
 "Searching %1…": "%1 wird durchsucht…", "Loading the versions of %1…": "Versionen von %1 werden geladen…",
 "%1 of %2 records shown.": "%1 von %2 Datensätzen angezeigt.", "Record %1 found.": "Datensatz %1 gefunden.",
 "No %1 record has the id %2.": "Kein %1-Datensatz hat die ID %2.", "deleted": "gelöscht",
 "Record %1 was deleted; its history remains.": "Datensatz %1 wurde gelöscht; sein Verlauf bleibt erhalten.",
 "%1 · %2 · %3": "%1 · %2 · %3", "%1: %2 versions.": "%1: %2 Versionen.", "deleted (v%1)": "gelöscht (v%1)", "v%1": "v%1",
 "This change could not be replayed: %1": "Diese Änderung ließ sich nicht nachvollziehen: %1", "Version": "Version",
 "When": "Wann", "Operation": "Vorgang", "Who": "Wer", "From %1 to %2:": "Von %1 bis %2:", "No differences.": "Keine Unterschiede.",
 "JSON Patch:": "JSON Patch:", "Id": "ID", "Text": "Text",
})

# The Tasks page (#19).
DE.update({
 "Tasks": "Tasks", "running": "läuft", "waiting for input": "wartet auf Eingabe", "completed": "abgeschlossen",
 "failed": "fehlgeschlagen", "cancelled": "abgebrochen", "%1 (%2)": "%1 (%2)", "%1 %": "%1 %", "Status": "Status",
 "Progress": "Fortschritt", "Owner": "Eigentümer", "Created": "Erstellt", "Updated": "Aktualisiert",
 "Status message": "Statusmeldung", "Task id": "Task-ID", "Cancel task…": "Task abbrechen…", "Cancel task": "Task abbrechen",
 "Filter tasks": "Tasks filtern", "Filter by tool, status, owner, message, id…": "Nach Tool, Status, Eigentümer, Meldung, ID filtern…",
 "Cancel the selected task": "Ausgewählten Task abbrechen",
 "Cancel the selected running task (any principal's); recorded in the audit trail":
   "Den ausgewählten laufenden Task abbrechen (von jedem Principal); wird im Audit-Trail festgehalten",
 "Select a running task first.": "Bitte zuerst einen laufenden Task auswählen.",
 "Cancel task %1 (%2, owned by %3)? It stops before its next unit of work; what it has committed stays. The cancel is recorded in the audit trail.":
   "Task %1 (%2, Eigentümer %3) abbrechen? Er endet vor seinem nächsten Arbeitsschritt; was er bereits festgeschrieben hat, bleibt. Der Abbruch wird im Audit-Trail festgehalten.",
 "Cancelling %1…": "%1 wird abgebrochen…", "Task %1 cancelled.": "Task %1 abgebrochen.",
 "Task %1 not cancelled: %2": "Task %1 nicht abgebrochen: %2",
})
DE.update({
 "Wire traffic": "Datenverkehr", "stream opened": "Stream geöffnet", "(no event name)": "(ohne Ereignisnamen)",
 "[cut: %1 of %2 bytes recorded]": "[gekürzt: %1 von %2 Bytes aufgezeichnet]", "→ in": "→ ein", "← out": "← aus",
 "Direction": "Richtung", "Kind": "Art", "Summary": "Zusammenfassung", "caller": "Aufrufer", "Record": "Aufzeichnen",
 "Record new sessions": "Neue Sitzungen aufzeichnen", "Export JSON…": "Als JSON exportieren…",
 "Session or caller to record": "Aufzuzeichnende Sitzung oder Aufrufer",
 "Record this session's wire traffic": "Datenverkehr dieser Sitzung aufzeichnen",
 "Off by default. The server keeps the last frames of each recorded session in a bounded ring; bodies are cut at a bound; secrets are masked.":
   "Standardmäßig aus. Der Server behält die letzten Frames jeder aufgezeichneten Sitzung in einem begrenzten Ringpuffer; Inhalte werden ab einer Grenze gekürzt; Geheimnisse werden maskiert.",
 "Record every new session from its first request": "Jede neue Sitzung ab ihrer ersten Anfrage aufzeichnen",
 "Every session opened while this is on records from its first request (a legacy stream's endpoint event goes out as it opens).":
   "Jede Sitzung, die geöffnet wird, während dies an ist, wird ab ihrer ersten Anfrage aufgezeichnet (das endpoint-Ereignis eines Legacy-Streams wird beim Öffnen gesendet).",
 "Export the recording as JSON": "Aufzeichnung als JSON exportieren", "Recorded frames": "Aufgezeichnete Frames",
 "Headers and body of the selected frame": "Header und Inhalt des gewählten Frames",
 "Select a frame to see its headers and body.": "Einen Frame wählen, um Header und Inhalt zu sehen.",
 "Session:": "Sitzung:", "%1 · ended": "%1 · beendet", "%1 older dropped": "%1 ältere verworfen",
 "Export wire traffic": "Datenverkehr exportieren", "JSON (*.json)": "JSON (*.json)",
 "Could not write %1: %2": "%1 konnte nicht geschrieben werden: %2",
 "traffic recording": "Aufzeichnung des Datenverkehrs", "traffic export": "Export des Datenverkehrs",
})
NUMERUS.update({"%n frame(s)": ["%n Frame", "%n Frames"]})
NUMERUS.update({"%n running": ["%n läuft", "%n laufen"], "%n listed": ["%n aufgeführt", "%n aufgeführt"]})

# The call workbench on the Tool calls page, Edit > Find / Copy (#18).
DE.update({
 "(stateless)": "(zustandslos)", "%1 (stateless)": "%1 (zustandslos)", "tool error": "Tool-Fehler",
 "JSON-RPC error": "JSON-RPC-Fehler", "input required": "Eingabe nötig", "task": "Task", "legacy SSE %1": "Legacy-SSE %1",
 "W3C trace id from the request's _meta.traceparent": "W3C-Trace-ID aus _meta.traceparent der Anfrage",
 "Pinned: stays at the top and is never dropped from the history": "Angeheftet: bleibt oben und fällt nie aus dem Verlauf",
 "Session / caller": "Sitzung / Aufrufer", "Protocol": "Protokoll", "Trace id": "Trace-ID", "Pin": "Anheften", "Unpin": "Lösen",
 "Search arguments, responses, trace ids…": "Argumente, Antworten, Trace-IDs durchsuchen…",
 "Search tool calls": "Tool-Aufrufe durchsuchen", "All tools": "Alle Tools", "Filter by tool": "Nach Tool filtern",
 "All sessions": "Alle Sitzungen", "Filter by session or caller": "Nach Sitzung oder Aufrufer filtern",
 "All subjects": "Alle Subjekte", "Filter by subject": "Nach Subjekt filtern", "All outcomes": "Alle Ergebnisse",
 "Filter by outcome": "Nach Ergebnis filtern", "Replay": "Erneut ausführen",
 "Run the selected call again as the operator, with the same arguments": "Den ausgewählten Aufruf als Operator mit denselben Argumenten erneut ausführen",
 "Pinned calls stay at the top and are never dropped from the history": "Angeheftete Aufrufe bleiben oben und fallen nie aus dem Verlauf",
 "Copy as curl": "Als curl kopieren",
 "The selected call as a curl command for its protocol era; the token is $KOAN_TOKEN": "Der ausgewählte Aufruf als curl-Befehl für seine Protokollversion; das Token ist $KOAN_TOKEN",
 "Export JSONL…": "Als JSONL exportieren…", "Save the calls the filter shows, one JSON object a line": "Die vom Filter gezeigten Aufrufe speichern, ein JSON-Objekt pro Zeile",
 "Selected call": "Ausgewählter Aufruf", "(none)": "(keine)",
 "%1 · %2 · %3 · %4 ms · %5\nSubject: %6 · trace id: %7\n\nRequest:\n%8\nResponse:\n%9": "%1 · %2 · %3 · %4 ms · %5\nSubjekt: %6 · Trace-ID: %7\n\nAnfrage:\n%8\nAntwort:\n%9",
 "(none: a cancelled request is not answered)": "(keine: eine abgebrochene Anfrage wird nicht beantwortet)",
 "curl command copied (set KOAN_TOKEN first)": "curl-Befehl kopiert (vorher KOAN_TOKEN setzen)",
 "Export tool calls": "Tool-Aufrufe exportieren", "JSON Lines (*.jsonl)": "JSON Lines (*.jsonl)", "Export failed: %1": "Export fehlgeschlagen: %1",
 "Cancel call": "Aufruf abbrechen", "Cancel the running call (notifications/cancelled): the tool stops at its next check": "Den laufenden Aufruf abbrechen (notifications/cancelled): das Tool hält bei seiner nächsten Prüfung an",
 "Tool to invoke": "Aufzurufendes Tool", "Invocation result": "Ergebnis des Aufrufs", "Raw JSON-RPC": "Rohes JSON-RPC",
 "→ Request\n%1": "→ Anfrage\n%1", "(incomplete: %1)\n": "(unvollständig: %1)\n", "\n← Last response\n%1": "\n← Letzte Antwort\n%1",
 "(none yet)": "(noch keine)", "→ Request\n%1\n← Response\n%2": "→ Anfrage\n%1\n← Antwort\n%2",
 "Cancelled after %1 ms": "Abgebrochen nach %1 ms", "&Edit": "&Bearbeiten", "&Copy": "&Kopieren", "&Find": "&Suchen",
 "Copy the selected rows of the current table as text": "Die ausgewählten Zeilen der aktuellen Tabelle als Text kopieren",
 "Go to the current page's search or filter field": "Zum Such- oder Filterfeld der aktuellen Seite",
 "Edit menu": "Menü Bearbeiten", "cancel": "Abbrechen",
})
NUMERUS.update({"%n call(s) exported": ["%n Aufruf exportiert", "%n Aufrufe exportiert"],
                "%n row(s) copied": ["%n Zeile kopiert", "%n Zeilen kopiert"]})
DE.update({
 "Authentication failures": "Anmeldefehler", "Filter authentication failures": "Anmeldefehler filtern",
 "All replicas": "Alle Replikate", "Cluster state": "Clusterzustand", "Replicas": "Replikate",
 "Sessions in the cluster": "Sitzungen im Cluster", "Show the sessions of all replicas": "Die Sitzungen aller Replikate zeigen",
 "Sessions (2025-era Streamable HTTP and legacy HTTP+SSE; stateless 2026-07-28 requests have none: any replica answers them)":
   "Sitzungen (Streamable HTTP der 2025-Ära und Legacy-HTTP+SSE; zustandslose 2026-07-28-Anfragen haben keine: jedes Replikat beantwortet sie)",
 "Single node (SQLite): this server keeps its own store and sessions. With DatabaseUrl=postgresql://… the replicas sharing the database are listed here.":
   "Einzelner Knoten (SQLite): Dieser Server hat seinen eigenen Speicher und seine eigenen Sitzungen. Mit DatabaseUrl=postgresql://… werden hier die Replikate aufgeführt, die sich die Datenbank teilen.",
 "(the first %1 listed)": "(die ersten %1 aufgeführt)", "as of %1": "Stand %1",
 "the database is unreachable: this is the last view": "die Datenbank ist nicht erreichbar: dies ist der letzte Stand",
 "this replica": "dieses Replikat", "live": "aktiv", "%1 (this replica)": "%1 (dieses Replikat)", "Replica": "Replikat",
 "Host": "Host", "Started": "Gestartet", "State": "Zustand", "HTTP+SSE (2024-11-05)": "HTTP+SSE (2024-11-05)",
 "Streamable HTTP (2025)": "Streamable HTTP (2025)", "Expires": "Läuft ab",
 "Entities and their overrides": "Entitäten und ihre Overrides", "Active connections and heartbeats": "Aktive Verbindungen und Heartbeats",
 "Heartbeats by session": "Heartbeats je Sitzung", "Log records": "Protokolleinträge", "Cluster": "Cluster",
 "Stateless era (2026-07-28)": "Zustandslose Ära (2026-07-28)", "callers (last minute)": "Aufrufer (letzte Minute)",
 "listen streams": "Listen-Streams", "Authentication failures by reason": "Anmeldefehler nach Grund",
 "No authentication failures in the window.": "Keine Anmeldefehler im Zeitfenster.",
 "Tool latency over the last 15 minutes": "Tool-Latenz der letzten 15 Minuten", "Latency distribution": "Latenzverteilung",
 "No tool calls in the last 15 minutes.": "Keine Tool-Aufrufe in den letzten 15 Minuten.", "Overview summary": "Übersicht in Zahlen",
 "Overview": "Übersicht", "> %1": "> %1", "≤ %1": "≤ %1",
 "<p>2026-07-28: %1 callers in the last minute (peak %2), %3 listen streams</p>":
   "<p>2026-07-28: %1 Aufrufer in der letzten Minute (Spitze %2), %3 Listen-Streams</p>",
 "Send %1": "%1 senden", "Ended sessions": "Beendete Sitzungen", "Filter session history": "Sitzungsverlauf filtern",
 "Live sessions": "Laufende Sitzungen", "Filter sessions": "Sitzungen filtern", "%1 ms": "%1 ms", "Calls": "Aufrufe",
 "Errors": "Fehler", "p50": "p50", "p95": "p95", "Max": "Max",
})
NUMERUS.update({"%n replica(s) on one PostgreSQL database": ["%n Replikat auf einer PostgreSQL-Datenbank", "%n Replikate auf einer PostgreSQL-Datenbank"],
 "%n session(s)": ["%n Sitzung", "%n Sitzungen"],
 "Latency distribution: %1 (%n call(s))": ["Latenzverteilung: %1 (%n Aufruf)", "Latenzverteilung: %1 (%n Aufrufe)"]})

path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("koan_de.ts"))
text = path.read_text(encoding="utf-8")
missing = []

def fill(m):
    source = html.unescape(m.group(2))
    body = m.group(0)
    if 'type="unfinished"' not in body:
        return body
    if source in NUMERUS:
        forms = "".join(f"<numerusform>{html.escape(f, quote=False)}</numerusform>" for f in NUMERUS[source])
        return re.sub(r'<translation type="unfinished">.*?</translation>', f"<translation>{forms}</translation>", body, flags=re.S)
    if source in DE:
        return re.sub(r'<translation type="unfinished">.*?</translation>',
                      "<translation>" + html.escape(DE[source], quote=False) + "</translation>", body, flags=re.S)
    missing.append(source)
    return body

text = re.sub(r'(<message[^>]*>.*?<source>(.*?)</source>.*?</message>)', fill, text, flags=re.S)
path.write_text(text, encoding="utf-8")
print(f"untranslated: {len(missing)}")
for s in missing:
    print("  ", s.replace("\n", "\\n"))
