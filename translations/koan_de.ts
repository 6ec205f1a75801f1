<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>koan::InProcessConsoleLink</name>
    <message>
        <location filename="../server/console/InProcessConsoleLink.h" line="15"/>
        <source>this process</source>
        <translation>diesem Prozess</translation>
    </message>
</context>
<context>
    <name>koan::RemoteConsoleLink</name>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="175"/>
        <source>nothing received for %1 s (not even a keep-alive)</source>
        <translation>seit %1 s nichts empfangen (nicht einmal ein Keep-alive)</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="180"/>
        <source>the server ended the event stream</source>
        <translation>der Server hat den Ereignisstrom beendet</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="264"/>
        <source>refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="273"/>
        <source>rollback switch</source>
        <translation>Rollback-Schalter</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="303"/>
        <source>disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="339"/>
        <source>cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="360"/>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="371"/>
        <source>traffic recording</source>
        <translation>Aufzeichnung des Datenverkehrs</translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="382"/>
        <source>traffic export</source>
        <translation>Export des Datenverkehrs</translation>
    </message>
</context>
<context>
    <name>koan::ui::AboutDialog</name>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="14"/>
        <location filename="../ui/AboutDialog.cpp" line="15"/>
        <source>About Koan MCP console</source>
        <translation>Über die Koan-MCP-Konsole</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="17"/>
        <source>attached to %1</source>
        <translation>verbunden mit %1</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="17"/>
        <source>the server in this process</source>
        <translation>den Server in diesem Prozess</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="21"/>
        <source>Koan MCP console %1
Qt %2 (built with %3)
Console of %4</source>
        <translation>Koan-MCP-Konsole %1
Qt %2 (erstellt mit %3)
Konsole für %4</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="24"/>
        <source>Application, versions and attached server</source>
        <translation>Anwendung, Versionen und verbundener Server</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="27"/>
        <source>Close the About dialog</source>
        <translation>Info-Dialog schließen</translation>
    </message>
</context>
<context>
    <name>koan::ui::AuthFailuresModel</name>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="45"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="47"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="49"/>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="51"/>
        <source>Remote</source>
        <translation>Gegenstelle</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="53"/>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="55"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>koan::ui::AuthFailuresPage</name>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="23"/>
        <source>Authentication failures</source>
        <translation>Anmeldefehler</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="30"/>
        <source>Filter authentication failures</source>
        <translation>Anmeldefehler filtern</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="31"/>
        <source>Filter by reason, subject, remote, path…</source>
        <translation>Nach Grund, Subjekt, Gegenstelle, Pfad filtern…</translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="34"/>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
</context>
<context>
    <name>koan::ui::ClusterPage</name>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="22"/>
        <source>All replicas</source>
        <translation>Alle Replikate</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="25"/>
        <source>Cluster state</source>
        <translation>Clusterzustand</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="30"/>
        <source>Replicas</source>
        <translation>Replikate</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="40"/>
        <source>Sessions in the cluster</source>
        <translation>Sitzungen im Cluster</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="47"/>
        <source>Show the sessions of all replicas</source>
        <translation>Die Sitzungen aller Replikate zeigen</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="60"/>
        <source>Sessions (2025-era Streamable HTTP and legacy HTTP+SSE; stateless 2026-07-28 requests have none: any replica answers them)</source>
        <translation>Sitzungen (Streamable HTTP der 2025-Ära und Legacy-HTTP+SSE; zustandslose 2026-07-28-Anfragen haben keine: jedes Replikat beantwortet sie)</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="104"/>
        <source>Single node (SQLite): this server keeps its own store and sessions. With DatabaseUrl=postgresql://… the replicas sharing the database are listed here.</source>
        <translation>Einzelner Knoten (SQLite): Dieser Server hat seinen eigenen Speicher und seine eigenen Sitzungen. Mit DatabaseUrl=postgresql://… werden hier die Replikate aufgeführt, die sich die Datenbank teilen.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/ClusterPage.cpp" line="108"/>
        <source>%n replica(s) on one PostgreSQL database</source>
        <translation>
            <numerusform>%n Replikat auf einer PostgreSQL-Datenbank</numerusform>
            <numerusform>%n Replikate auf einer PostgreSQL-Datenbank</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/ClusterPage.cpp" line="109"/>
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n Sitzung</numerusform>
            <numerusform>%n Sitzungen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="111"/>
        <source>(the first %1 listed)</source>
        <translation>(die ersten %1 aufgeführt)</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="114"/>
        <source>as of %1</source>
        <translation>Stand %1</translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="116"/>
        <source>the database is unreachable: this is the last view</source>
        <translation>die Datenbank ist nicht erreichbar: dies ist der letzte Stand</translation>
    </message>
</context>
<context>
    <name>koan::ui::ClusterReplicasModel</name>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="32"/>
        <source>this replica</source>
        <translation>dieses Replikat</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="34"/>
        <source>late</source>
        <translation>verspätet</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="34"/>
        <source>live</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="53"/>
        <source>%1 (this replica)</source>
        <translation>%1 (dieses Replikat)</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="76"/>
        <source>Replica</source>
        <translation>Replikat</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="78"/>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="80"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="82"/>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="84"/>
        <source>Last heartbeat</source>
        <translation>Letzter Heartbeat</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="86"/>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="88"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
</context>
<context>
    <name>koan::ui::ClusterSessionsModel</name>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="131"/>
        <source>HTTP+SSE (2024-11-05)</source>
        <translation>HTTP+SSE (2024-11-05)</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="132"/>
        <source>Streamable HTTP (2025)</source>
        <translation>Streamable HTTP (2025)</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="137"/>
        <source>anonymous</source>
        <translation>anonym</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="153"/>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="155"/>
        <source>Replica</source>
        <translation>Replikat</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="157"/>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="159"/>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="161"/>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="163"/>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
</context>
<context>
    <name>koan::ui::EntitiesPage</name>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="50"/>
        <source>Entities and their overrides</source>
        <translation>Entitäten und ihre Overrides</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="62"/>
        <source>Reset selected to defaults</source>
        <translation>Auswahl auf Standardwerte zurücksetzen</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="77"/>
        <source>Invalid value</source>
        <translation>Ungültiger Wert</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="79"/>
        <source>Double-click a cell to edit. Changes apply to the running server at once and are saved to your settings override file. Bold values differ from the entity&apos;s defaults.</source>
        <translation>Zum Bearbeiten doppelklicken. Änderungen gelten sofort für den laufenden Server und werden in Ihrer Einstellungsdatei gespeichert. Fett gedruckte Werte weichen von den Standardwerten ab.</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="93"/>
        <source>Overrides</source>
        <translation>Overrides</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="94"/>
        <source>Records</source>
        <translation>Datensätze</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="102"/>
        <source>%1: applied and saved.</source>
        <translation>%1: übernommen und gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="105"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>koan::ui::EntityOverridesModel</name>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="30"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="84"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="168"/>
        <source>server default</source>
        <translation>Serverstandard</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="30"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="85"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="170"/>
        <source>required</source>
        <translation>erforderlich</translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="31"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="86"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="172"/>
        <source>not required</source>
        <translation>nicht erforderlich</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="82"/>
        <source>allowed</source>
        <translation>erlaubt</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="82"/>
        <source>read-only</source>
        <translation>nur lesen</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="103"/>
        <source>Entity</source>
        <translation>Entität</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="105"/>
        <source>Tool prefix</source>
        <translation>Tool-Präfix</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="107"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="109"/>
        <source>Mutations</source>
        <translation>Änderungen</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="111"/>
        <source>Authentication</source>
        <translation>Authentifizierung</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="113"/>
        <source>Required scopes</source>
        <translation>Erforderliche Scopes</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="115"/>
        <source>Enabled transports</source>
        <translation>Aktivierte Transporte</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="125"/>
        <source>List transports (Stdio, HttpSse, StreamableHttp, Operator), or All / None</source>
        <translation>Transporte auflisten (Stdio, HttpSse, StreamableHttp, Operator) oder All / None</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="129"/>
        <source>Unknown transport &quot;%1&quot;: use Stdio, HttpSse, StreamableHttp, Operator, All or None</source>
        <translation>Unbekannter Transport „%1“: Stdio, HttpSse, StreamableHttp, Operator, All oder None verwenden</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="157"/>
        <source>Tool prefix &quot;%1&quot; must be lower-case letters, digits and &apos;-&apos; (e.g. trial-site)</source>
        <translation>Tool-Präfix „%1“ darf nur Kleinbuchstaben, Ziffern und „-“ enthalten (z. B. trial-site)</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="163"/>
        <source>The description cannot be empty: clients show it to models</source>
        <translation>Die Beschreibung darf nicht leer sein: Clients zeigen sie Modellen</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="175"/>
        <source>Authentication must be &quot;server default&quot;, &quot;required&quot; or &quot;not required&quot;</source>
        <translation>Authentifizierung muss „Serverstandard“, „erforderlich“ oder „nicht erforderlich“ sein</translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="183"/>
        <source>&quot;%1&quot; is not a valid OAuth scope</source>
        <translation>„%1“ ist kein gültiger OAuth-Scope</translation>
    </message>
</context>
<context>
    <name>koan::ui::HeartbeatsPage</name>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="20"/>
        <source>Active connections and heartbeats</source>
        <translation>Aktive Verbindungen und Heartbeats</translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="21"/>
        <source>active connections</source>
        <translation>aktive Verbindungen</translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="22"/>
        <source>heartbeats per sample</source>
        <translation>Heartbeats je Messwert</translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="28"/>
        <source>Heartbeats by session</source>
        <translation>Heartbeats je Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="50"/>
        <source>Last %1 s (one sample every %2 s)</source>
        <translation>Letzte %1 s (ein Messwert alle %2 s)</translation>
    </message>
    <message>
        <source>heartbeats / 5 s</source>
        <translation type="vanished">Heartbeats / 5 s</translation>
    </message>
    <message>
        <source>Last 10 minutes (one sample every 5 s)</source>
        <translation type="vanished">Letzte 10 Minuten (ein Messwert alle 5 s)</translation>
    </message>
</context>
<context>
    <name>koan::ui::InvokePanel</name>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="20"/>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="21"/>
        <source>Cancel call</source>
        <translation>Aufruf abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="25"/>
        <source>Tool to invoke</source>
        <translation>Aufzurufendes Tool</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="28"/>
        <source>Cancel the running call (notifications/cancelled): the tool stops at its next check</source>
        <translation>Den laufenden Aufruf abbrechen (notifications/cancelled): das Tool hält bei seiner nächsten Prüfung an</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="31"/>
        <source>Invocation result</source>
        <translation>Ergebnis des Aufrufs</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="33"/>
        <source>The result appears here.</source>
        <translation>Das Ergebnis erscheint hier.</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="35"/>
        <location filename="../ui/InvokePanel.cpp" line="56"/>
        <source>Raw JSON-RPC</source>
        <translation>Rohes JSON-RPC</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="103"/>
        <source>→ Request
%1</source>
        <translation>→ Anfrage
%1</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="105"/>
        <source>(incomplete: %1)
</source>
        <translation>(unvollständig: %1)
</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="106"/>
        <source>
← Last response
%1</source>
        <translation>
← Letzte Antwort
%1</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="108"/>
        <source>(none yet)</source>
        <translation>(noch keine)</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="118"/>
        <source>Fix the form first:
- %1</source>
        <translation>Bitte zuerst das Formular korrigieren:
- %1</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="123"/>
        <source>Running %1…</source>
        <translation>%1 wird ausgeführt…</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="134"/>
        <source>Cancelling %1…</source>
        <translation>%1 wird abgebrochen…</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="142"/>
        <source>%1 is not available any more (disabled or renamed).</source>
        <translation>%1 ist nicht mehr verfügbar (deaktiviert oder umbenannt).</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="160"/>
        <source>→ Request
%1
← Response
%2</source>
        <translation>→ Anfrage
%1
← Antwort
%2</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="163"/>
        <source>(none: a cancelled request is not answered)</source>
        <translation>(keine: eine abgebrochene Anfrage wird nicht beantwortet)</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="166"/>
        <source>Cancelled after %1 ms</source>
        <translation>Abgebrochen nach %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="171"/>
        <source>%1 in %2 ms

%3</source>
        <translation>%1 in %2 ms

%3</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="172"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="172"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>koan::ui::LogsModel</name>
    <message>
        <location filename="../ui/LogsModel.cpp" line="67"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="69"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="71"/>
        <source>Category</source>
        <translation>Kategorie</translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="73"/>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="75"/>
        <source>Trace</source>
        <translation>Trace</translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="77"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>koan::ui::LogsPage</name>
    <message>
        <location filename="../ui/LogsPage.cpp" line="56"/>
        <source>Minimum level</source>
        <translation>Mindeststufe</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="57"/>
        <source>All levels</source>
        <translation>Alle Stufen</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="58"/>
        <source>Info and above</source>
        <translation>Info und höher</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="59"/>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="60"/>
        <source>Errors only</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="66"/>
        <source>Search the log</source>
        <translation>Protokoll durchsuchen</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="67"/>
        <source>Search message, category, session…</source>
        <translation>Meldung, Kategorie, Sitzung suchen…</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="73"/>
        <source>Follow</source>
        <translation>Mitlaufen</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="79"/>
        <source>Log records</source>
        <translation>Protokolleinträge</translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="113"/>
        <source>%1 of %2 records</source>
        <translation>%1 von %2 Einträgen</translation>
    </message>
</context>
<context>
    <name>koan::ui::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="55"/>
        <source>Koan MCP console</source>
        <translation>Koan-MCP-Konsole</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="73"/>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="74"/>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="75"/>
        <source>Session history</source>
        <translation>Sitzungsverlauf</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="76"/>
        <source>Heartbeats</source>
        <translation>Heartbeats</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="77"/>
        <source>Auth failures</source>
        <translation>Anmeldefehler</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="78"/>
        <source>Entities &amp;&amp; overrides</source>
        <translation>Entitäten &amp;&amp; Overrides</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="79"/>
        <source>Tool calls</source>
        <translation>Tool-Aufrufe</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="80"/>
        <source>Logs</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="81"/>
        <source>Tasks</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="82"/>
        <source>Wire traffic</source>
        <translation>Datenverkehr</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="83"/>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="132"/>
        <source>%1 refused: %2</source>
        <translation>%1 abgelehnt: %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="144"/>
        <source>connecting…</source>
        <translation>Verbindung wird aufgebaut…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="163"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="164"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="168"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="169"/>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="171"/>
        <source>Copy the selected rows of the current table as text</source>
        <translation>Die ausgewählten Zeilen der aktuellen Tabelle als Text kopieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="173"/>
        <source>&amp;Find</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="175"/>
        <source>Go to the current page&apos;s search or filter field</source>
        <translation>Zum Such- oder Filterfeld der aktuellen Seite</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="178"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="189"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="191"/>
        <source>Ask the server again for sessions, status and history</source>
        <translation>Sitzungen, Status und Verlauf erneut vom Server abfragen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="194"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="195"/>
        <source>&amp;About…</source>
        <translation>Ü&amp;ber…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="198"/>
        <source>Main menu</source>
        <translation>Hauptmenü</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="199"/>
        <source>File menu</source>
        <translation>Menü Datei</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="200"/>
        <source>Edit menu</source>
        <translation>Menü Bearbeiten</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="201"/>
        <source>View menu</source>
        <translation>Menü Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="202"/>
        <source>Help menu</source>
        <translation>Menü Hilfe</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/MainWindow.cpp" line="271"/>
        <source>%n row(s) copied</source>
        <translation>
            <numerusform>%n Zeile kopiert</numerusform>
            <numerusform>%n Zeilen kopiert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="293"/>
        <source>Not connected to %1: %2. Reconnecting…</source>
        <translation>Keine Verbindung zu %1: %2. Neuer Versuch läuft…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="302"/>
        <source>attached to %1</source>
        <translation>verbunden mit %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="306"/>
        <source>%1 · environment %2 · authentication %3</source>
        <translation>%1 · Umgebung %2 · Authentifizierung %3</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="303"/>
        <source>HTTP not listening</source>
        <translation>HTTP lauscht nicht</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="54"/>
        <source>Koan MCP console — attached to %1</source>
        <translation>Koan-MCP-Konsole — verbunden mit %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="307"/>
        <source>required</source>
        <translation>erforderlich</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="307"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="317"/>
        <source>sessions %1 / %2</source>
        <translation>Sitzungen %1 / %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="318"/>
        <source>auth failures %1</source>
        <translation>Anmeldefehler %1</translation>
    </message>
</context>
<context>
    <name>koan::ui::OverviewPage</name>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="41"/>
        <source>Sessions by transport</source>
        <translation>Sitzungen nach Transport</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="42"/>
        <source>HTTP+SSE (2024-11-05)</source>
        <translation>HTTP+SSE (2024-11-05)</translation>
    </message>
    <message>
        <source>Streamable HTTP</source>
        <translation type="vanished">Streamable HTTP</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="43"/>
        <source>Streamable HTTP (2025)</source>
        <translation>Streamable HTTP (2025)</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="44"/>
        <source>Tool calls per second</source>
        <translation>Tool-Aufrufe pro Sekunde</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="45"/>
        <source>calls/s</source>
        <translation>Aufrufe/s</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="46"/>
        <source>errors/s</source>
        <translation>Fehler/s</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="47"/>
        <source>Call latency</source>
        <translation>Latenz der Aufrufe</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="48"/>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="49"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="vanished">%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="51"/>
        <source>Authentication failures per second</source>
        <translation>Anmeldefehler pro Sekunde</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="52"/>
        <source>auth failures/s</source>
        <translation>Anmeldefehler/s</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="53"/>
        <source>Queued bytes (all streams)</source>
        <translation>Wartende Bytes (alle Streams)</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="54"/>
        <source>queued</source>
        <translation>wartend</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="56"/>
        <source>Stateless era (2026-07-28)</source>
        <translation>Zustandslose Ära (2026-07-28)</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="57"/>
        <source>callers (last minute)</source>
        <translation>Aufrufer (letzte Minute)</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="58"/>
        <source>listen streams</source>
        <translation>Listen-Streams</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="67"/>
        <source>Authentication failures by reason</source>
        <translation>Anmeldefehler nach Grund</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="68"/>
        <source>No authentication failures in the window.</source>
        <translation>Keine Anmeldefehler im Zeitfenster.</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="71"/>
        <source>Tool latency over the last 15 minutes</source>
        <translation>Tool-Latenz der letzten 15 Minuten</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="85"/>
        <location filename="../ui/OverviewPage.cpp" line="197"/>
        <source>Latency distribution</source>
        <translation>Latenzverteilung</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="86"/>
        <source>No tool calls in the last 15 minutes.</source>
        <translation>Keine Tool-Aufrufe in den letzten 15 Minuten.</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="89"/>
        <source>Overview summary</source>
        <translation>Übersicht in Zahlen</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="111"/>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/OverviewPage.cpp" line="202"/>
        <source>Latency distribution: %1 (%n call(s))</source>
        <translation>
            <numerusform>Latenzverteilung: %1 (%n Aufruf)</numerusform>
            <numerusform>Latenzverteilung: %1 (%n Aufrufe)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="214"/>
        <source>&gt; %1</source>
        <translation>&gt; %1</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="215"/>
        <source>≤ %1</source>
        <translation>≤ %1</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="234"/>
        <source>&lt;p style=&apos;font-size:large&apos;&gt;&lt;b&gt;Now&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1 legacy + %2 Streamable sessions (peak %3 + %4)&lt;/p&gt;&lt;p&gt;%5 tool calls, %6 errors, %7 auth failures in the last %8 min&lt;/p&gt;&lt;p&gt;latency now p50 %9 · p95 %10&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;font-size:large&apos;&gt;&lt;b&gt;Jetzt&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1 Legacy- + %2 Streamable-Sitzungen (Spitze %3 + %4)&lt;/p&gt;&lt;p&gt;%5 Tool-Aufrufe, %6 Fehler, %7 Anmeldefehler in den letzten %8 min&lt;/p&gt;&lt;p&gt;Latenz jetzt p50 %9 · p95 %10&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="245"/>
        <source>&lt;p&gt;2026-07-28: %1 callers in the last minute (peak %2), %3 listen streams&lt;/p&gt;</source>
        <translation>&lt;p&gt;2026-07-28: %1 Aufrufer in der letzten Minute (Spitze %2), %3 Listen-Streams&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>koan::ui::RecordBrowser</name>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="93"/>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="98"/>
        <source>Entity</source>
        <translation>Entität</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="100"/>
        <source>Search field</source>
        <translation>Suchfeld</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="101"/>
        <source>The field to match: id, or a field of the records (equality)</source>
        <translation>Das zu vergleichende Feld: id oder ein Feld der Datensätze (Gleichheit)</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="105"/>
        <source>Search value</source>
        <translation>Suchwert</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="106"/>
        <source>Value to match; empty lists the first %1 records</source>
        <translation>Gesuchter Wert; leer listet die ersten %1 Datensätze</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="109"/>
        <source>Search records</source>
        <translation>Datensätze suchen</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="110"/>
        <location filename="../ui/RecordBrowser.cpp" line="143"/>
        <source>Records</source>
        <translation>Datensätze</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="112"/>
        <source>Versions of the record</source>
        <translation>Versionen des Datensatzes</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="114"/>
        <source>Select two versions to compare them</source>
        <translation>Zwei Versionen auswählen, um sie zu vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="116"/>
        <source>Compare from version</source>
        <translation>Vergleichen ab Version</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="118"/>
        <source>Compare to version</source>
        <translation>Vergleichen bis Version</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="120"/>
        <source>Changes between the two versions</source>
        <translation>Änderungen zwischen den beiden Versionen</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="124"/>
        <source>Open a record and choose two versions to see what changed.</source>
        <translation>Einen Datensatz öffnen und zwei Versionen wählen, um die Änderungen zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="129"/>
        <source>&amp;Entity:</source>
        <translation>&amp;Entität:</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="131"/>
        <source>&amp;Find where</source>
        <translation>&amp;Suchen, wo</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="147"/>
        <source>Versions</source>
        <translation>Versionen</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="151"/>
        <source>Compare &amp;from</source>
        <translation>Vergleichen &amp;von</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="153"/>
        <source>&amp;to</source>
        <translation>&amp;bis</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="250"/>
        <source>Searching %1…</source>
        <translation>%1 wird durchsucht…</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="292"/>
        <source>Loading the versions of %1…</source>
        <translation>Versionen von %1 werden geladen…</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="315"/>
        <source>%1 of %2 records shown.</source>
        <translation>%1 von %2 Datensätzen angezeigt.</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="333"/>
        <source>Record %1 found.</source>
        <translation>Datensatz %1 gefunden.</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="339"/>
        <location filename="../ui/RecordBrowser.cpp" line="344"/>
        <source>No %1 record has the id %2.</source>
        <translation>Kein %1-Datensatz hat die ID %2.</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="348"/>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="350"/>
        <source>Record %1 was deleted; its history remains.</source>
        <translation>Datensatz %1 wurde gelöscht; sein Verlauf bleibt erhalten.</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="378"/>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="387"/>
        <source>%1: %2 versions.</source>
        <translation>%1: %2 Versionen.</translation>
    </message>
</context>
<context>
    <name>koan::ui::RecordVersionsModel</name>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="179"/>
        <source>deleted (v%1)</source>
        <translation>gelöscht (v%1)</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="179"/>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="180"/>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="198"/>
        <source>This change could not be replayed: %1</source>
        <translation>Diese Änderung ließ sich nicht nachvollziehen: %1</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="227"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="229"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="231"/>
        <source>Operation</source>
        <translation>Vorgang</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="233"/>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="235"/>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="248"/>
        <source>From %1 to %2:</source>
        <translation>Von %1 bis %2:</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="250"/>
        <source>No differences.</source>
        <translation>Keine Unterschiede.</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="267"/>
        <source>JSON Patch:</source>
        <translation>JSON Patch:</translation>
    </message>
</context>
<context>
    <name>koan::ui::RecordsModel</name>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="105"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="107"/>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="109"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
</context>
<context>
    <name>koan::ui::RollbackDialog</name>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="15"/>
        <source>&amp;Drain</source>
        <translation>&amp;Auslaufen lassen</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="16"/>
        <source>&amp;Cut now</source>
        <translation>&amp;Sofort trennen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/RollbackDialog.cpp" line="22"/>
        <source>Turn EnableHttpSseTransport off?

%n active legacy session(s) will end. New HTTP+SSE requests get 503 until it is turned on again; STDIO keeps working.</source>
        <translation>
            <numerusform>EnableHttpSseTransport abschalten?

%n aktive Legacy-Sitzung wird beendet. Neue HTTP+SSE-Anfragen erhalten 503, bis der Schalter wieder an ist; STDIO funktioniert weiter.</numerusform>
            <numerusform>EnableHttpSseTransport abschalten?

%n aktive Legacy-Sitzungen werden beendet. Neue HTTP+SSE-Anfragen erhalten 503, bis der Schalter wieder an ist; STDIO funktioniert weiter.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="26"/>
        <source>New legacy streams are refused at once; open ones may finish within the timeout, then they are closed.</source>
        <translation>Neue Legacy-Streams werden sofort abgewiesen; offene dürfen innerhalb der Frist zu Ende laufen und werden dann geschlossen.</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="29"/>
        <source>Open legacy streams receive a final event and are closed now.</source>
        <translation>Offene Legacy-Streams erhalten ein letztes Ereignis und werden jetzt geschlossen.</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="34"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="35"/>
        <source>Drain timeout</source>
        <translation>Auslauffrist</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="37"/>
        <source>Why? (recorded in the audit trail with your name)</source>
        <translation>Warum? (wird mit Ihrem Namen im Audit-Trail festgehalten)</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="38"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="40"/>
        <source>Turn off</source>
        <translation>Abschalten</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="46"/>
        <source>How:</source>
        <translation>Wie:</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="47"/>
        <source>Drain timeout:</source>
        <translation>Auslauffrist:</translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="48"/>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
</context>
<context>
    <name>koan::ui::SchemaForm</name>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="114"/>
        <source>[ … ] (JSON array)</source>
        <translation>[ … ] (JSON-Array)</translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="115"/>
        <source>{ … } (JSON object)</source>
        <translation>{ … } (JSON-Objekt)</translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="131"/>
        <source>set</source>
        <translation>setzen</translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="133"/>
        <source>Send %1</source>
        <translation>%1 senden</translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="178"/>
        <source>%1: invalid JSON (%2)</source>
        <translation>%1: ungültiges JSON (%2)</translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="185"/>
        <source>%1 is required</source>
        <translation>%1 ist erforderlich</translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionHistoryModel</name>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="25"/>
        <source>client closed</source>
        <translation>vom Client geschlossen</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="27"/>
        <source>DELETE by client</source>
        <translation>DELETE durch den Client</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="29"/>
        <source>idle timeout</source>
        <translation>Leerlauf-Zeitüberschreitung</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="31"/>
        <source>heartbeat write failed (slow reader)</source>
        <translation>Heartbeat nicht schreibbar (langsamer Leser)</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="33"/>
        <source>token expired</source>
        <translation>Token abgelaufen</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="35"/>
        <source>disconnected by the operator</source>
        <translation>vom Operator getrennt</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="37"/>
        <source>transport disabled (cut)</source>
        <translation>Transport abgeschaltet (sofort)</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="39"/>
        <source>transport disabled (drain timeout)</source>
        <translation>Transport abgeschaltet (Auslauffrist vorbei)</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="41"/>
        <source>server shutdown</source>
        <translation>Server beendet</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="43"/>
        <source>initialize failed</source>
        <translation>initialize fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="47"/>
        <source>other</source>
        <translation>anderer Grund</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="54"/>
        <location filename="../ui/SessionHistoryModel.cpp" line="56"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="58"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="59"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>anonymous</source>
        <translation type="vanished">anonym</translation>
    </message>
    <message>
        <source>%1 (issuer %2)</source>
        <translation type="vanished">%1 (Aussteller %2)</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="155"/>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="157"/>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="159"/>
        <source>Era</source>
        <translation>Ära</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="161"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="163"/>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="165"/>
        <source>Remote</source>
        <translation>Gegenstelle</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="167"/>
        <source>Started</source>
        <translation>Begonnen</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="169"/>
        <source>Ended</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="171"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="173"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="175"/>
        <source>In</source>
        <translation>Ein</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="177"/>
        <source>Out</source>
        <translation>Aus</translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionHistoryPage</name>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="31"/>
        <source>Ended sessions</source>
        <translation>Beendete Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="42"/>
        <source>Filter session history</source>
        <translation>Sitzungsverlauf filtern</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="43"/>
        <source>Filter by id, transport, client, subject, remote…</source>
        <translation>Nach ID, Transport, Client, Subjekt, Gegenstelle filtern…</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="50"/>
        <source>All reasons</source>
        <translation>Alle Gründe</translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="78"/>
        <source>%1 of %2 ended session(s) shown (the server keeps the last %3)</source>
        <translation>%1 von %2 beendeten Sitzungen angezeigt (der Server behält die letzten %3)</translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionsModel</name>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="17"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="19"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="20"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="111"/>
        <source>no stream</source>
        <translation>kein Stream</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="113"/>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="115"/>
        <source>healthy</source>
        <translation>gesund</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="117"/>
        <source>late</source>
        <translation>verspätet</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="119"/>
        <source>missed</source>
        <translation>ausgeblieben</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="97"/>
        <source>anonymous</source>
        <translation>anonym</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="87"/>
        <source>stateless caller (%1)</source>
        <translation>zustandsloser Aufrufer (%1)</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="89"/>
        <source>listen stream (%1)</source>
        <translation>Listen-Stream (%1)</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="90"/>
        <source>session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="90"/>
        <source>session (%1)</source>
        <translation>Sitzung (%1)</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="98"/>
        <source>%1 (issuer %2)</source>
        <translation>%1 (Aussteller %2)</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="198"/>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="200"/>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="202"/>
        <source>Era</source>
        <translation>Ära</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="204"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="206"/>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="208"/>
        <source>Remote</source>
        <translation>Gegenstelle</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="210"/>
        <source>User agent</source>
        <translation>User-Agent</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="212"/>
        <source>Age</source>
        <translation>Alter</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="214"/>
        <source>Last activity</source>
        <translation>Letzte Aktivität</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="216"/>
        <source>Last heartbeat</source>
        <translation>Letzter Heartbeat</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="218"/>
        <source>Heartbeat</source>
        <translation>Heartbeat</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="220"/>
        <source>In</source>
        <translation>Ein</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="222"/>
        <source>Out</source>
        <translation>Aus</translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="224"/>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionsPage</name>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="25"/>
        <source>Live sessions</source>
        <translation>Laufende Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="38"/>
        <source>Filter sessions</source>
        <translation>Sitzungen filtern</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="39"/>
        <source>Filter by id, transport, client, subject, remote…</source>
        <translation>Nach ID, Transport, Client, Subjekt, Gegenstelle filtern…</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="42"/>
        <source>Disconnect session…</source>
        <translation>Sitzung trennen…</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="59"/>
        <location filename="../ui/SessionsPage.cpp" line="65"/>
        <location filename="../ui/SessionsPage.cpp" line="69"/>
        <source>Disconnect session</source>
        <translation>Sitzung trennen</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="59"/>
        <source>Select a session first.</source>
        <translation>Bitte zuerst eine Sitzung auswählen.</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="66"/>
        <source>%1 is a 2026-07-28 caller: it holds no session or stream to disconnect.</source>
        <translation>%1 ist ein Aufrufer nach 2026-07-28: Er hält keine Sitzung und keinen Stream, der getrennt werden könnte.</translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="70"/>
        <source>Disconnect session %1? Its streams are closed; the client has to reconnect.</source>
        <translation>Sitzung %1 trennen? Ihre Streams werden geschlossen; der Client muss sich neu verbinden.</translation>
    </message>
</context>
<context>
    <name>koan::ui::Sparkline</name>
    <message>
        <source>%1: %2 (max %3)</source>
        <translation type="vanished">%1: %2 (max. %3)</translation>
    </message>
    <message>
        <location filename="../ui/Sparkline.cpp" line="213"/>
        <source>%1: %2 (peak %3)</source>
        <translation>%1: %2 (Spitze %3)</translation>
    </message>
</context>
<context>
    <name>koan::ui::TasksModel</name>
    <message>
        <location filename="../ui/TasksModel.cpp" line="20"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="22"/>
        <source>waiting for input</source>
        <translation>wartet auf Eingabe</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="24"/>
        <source>completed</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="26"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="28"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="86"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="88"/>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="109"/>
        <source>Tool</source>
        <translation>Tool</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="111"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="113"/>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="115"/>
        <source>Owner</source>
        <translation>Eigentümer</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="117"/>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="119"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="121"/>
        <source>Status message</source>
        <translation>Statusmeldung</translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="123"/>
        <source>Task id</source>
        <translation>Task-ID</translation>
    </message>
</context>
<context>
    <name>koan::ui::TasksPage</name>
    <message>
        <location filename="../ui/TasksPage.cpp" line="20"/>
        <source>Cancel task…</source>
        <translation>Task abbrechen…</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="28"/>
        <source>Tasks</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="44"/>
        <source>Filter tasks</source>
        <translation>Tasks filtern</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="45"/>
        <source>Filter by tool, status, owner, message, id…</source>
        <translation>Nach Tool, Status, Eigentümer, Meldung, ID filtern…</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="49"/>
        <source>Cancel the selected task</source>
        <translation>Ausgewählten Task abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="50"/>
        <source>Cancel the selected running task (any principal&apos;s); recorded in the audit trail</source>
        <translation>Den ausgewählten laufenden Task abbrechen (von jedem Principal); wird im Audit-Trail festgehalten</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/TasksPage.cpp" line="75"/>
        <source>%n running</source>
        <translation>
            <numerusform>%n läuft</numerusform>
            <numerusform>%n laufen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/TasksPage.cpp" line="76"/>
        <source>%n listed</source>
        <translation>
            <numerusform>%n aufgeführt</numerusform>
            <numerusform>%n aufgeführt</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="97"/>
        <location filename="../ui/TasksPage.cpp" line="102"/>
        <source>Cancel task</source>
        <translation>Task abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="97"/>
        <source>Select a running task first.</source>
        <translation>Bitte zuerst einen laufenden Task auswählen.</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="103"/>
        <source>Cancel task %1 (%2, owned by %3)? It stops before its next unit of work; what it has committed stays. The cancel is recorded in the audit trail.</source>
        <translation>Task %1 (%2, Eigentümer %3) abbrechen? Er endet vor seinem nächsten Arbeitsschritt; was er bereits festgeschrieben hat, bleibt. Der Abbruch wird im Audit-Trail festgehalten.</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="108"/>
        <source>Cancelling %1…</source>
        <translation>%1 wird abgebrochen…</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="114"/>
        <source>Task %1 cancelled.</source>
        <translation>Task %1 abgebrochen.</translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="114"/>
        <source>Task %1 not cancelled: %2</source>
        <translation>Task %1 nicht abgebrochen: %2</translation>
    </message>
</context>
<context>
    <name>koan::ui::ToolCallsModel</name>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="33"/>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>error</source>
        <translation type="vanished">Fehler</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="128"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="vanished">Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="27"/>
        <source>(stateless)</source>
        <translation>(zustandslos)</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="27"/>
        <source>%1 (stateless)</source>
        <translation>%1 (zustandslos)</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="35"/>
        <source>tool error</source>
        <translation>Tool-Fehler</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="37"/>
        <source>JSON-RPC error</source>
        <translation>JSON-RPC-Fehler</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="39"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="41"/>
        <source>input required</source>
        <translation>Eingabe nötig</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="43"/>
        <source>task</source>
        <translation>Task</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="52"/>
        <source>legacy SSE %1</source>
        <translation>Legacy-SSE %1</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="89"/>
        <source>W3C trace id from the request&apos;s _meta.traceparent</source>
        <translation>W3C-Trace-ID aus _meta.traceparent der Anfrage</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="90"/>
        <source>Pinned: stays at the top and is never dropped from the history</source>
        <translation>Angeheftet: bleibt oben und fällt nie aus dem Verlauf</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="130"/>
        <source>Session / caller</source>
        <translation>Sitzung / Aufrufer</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="132"/>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="134"/>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="136"/>
        <source>Tool</source>
        <translation>Tool</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="138"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="140"/>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="142"/>
        <source>Trace id</source>
        <translation>Trace-ID</translation>
    </message>
</context>
<context>
    <name>koan::ui::ToolCallsPage</name>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="32"/>
        <location filename="../ui/ToolCallsPage.cpp" line="173"/>
        <source>Pin</source>
        <translation>Anheften</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="36"/>
        <source>Tool calls</source>
        <translation>Tool-Aufrufe</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="45"/>
        <source>Selected call</source>
        <translation>Ausgewählter Aufruf</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="47"/>
        <source>Select a call to see its request and response.</source>
        <translation>Einen Aufruf auswählen, um Anfrage und Antwort zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="58"/>
        <source>Search tool calls</source>
        <translation>Tool-Aufrufe durchsuchen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="59"/>
        <source>Search arguments, responses, trace ids…</source>
        <translation>Argumente, Antworten, Trace-IDs durchsuchen…</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="65"/>
        <source>All tools</source>
        <translation>Alle Tools</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="65"/>
        <source>Filter by tool</source>
        <translation>Nach Tool filtern</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="66"/>
        <source>All sessions</source>
        <translation>Alle Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="66"/>
        <source>Filter by session or caller</source>
        <translation>Nach Sitzung oder Aufrufer filtern</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="67"/>
        <source>All subjects</source>
        <translation>Alle Subjekte</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="67"/>
        <source>Filter by subject</source>
        <translation>Nach Subjekt filtern</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="68"/>
        <source>All outcomes</source>
        <translation>Alle Ergebnisse</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="68"/>
        <source>Filter by outcome</source>
        <translation>Nach Ergebnis filtern</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="84"/>
        <source>Replay</source>
        <translation>Erneut ausführen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="86"/>
        <source>Run the selected call again as the operator, with the same arguments</source>
        <translation>Den ausgewählten Aufruf als Operator mit denselben Argumenten erneut ausführen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="89"/>
        <source>Pinned calls stay at the top and are never dropped from the history</source>
        <translation>Angeheftete Aufrufe bleiben oben und fallen nie aus dem Verlauf</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="91"/>
        <source>Copy as curl</source>
        <translation>Als curl kopieren</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="93"/>
        <source>The selected call as a curl command for its protocol era; the token is $KOAN_TOKEN</source>
        <translation>Der ausgewählte Aufruf als curl-Befehl für seine Protokollversion; das Token ist $KOAN_TOKEN</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="95"/>
        <source>Export JSONL…</source>
        <translation>Als JSONL exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="97"/>
        <source>Save the calls the filter shows, one JSON object a line</source>
        <translation>Die vom Filter gezeigten Aufrufe speichern, ein JSON-Objekt pro Zeile</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="173"/>
        <source>Unpin</source>
        <translation>Lösen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="175"/>
        <source>%1 · %2 · %3 · %4 ms · %5
Subject: %6 · trace id: %7

Request:
%8
Response:
%9</source>
        <translation>%1 · %2 · %3 · %4 ms · %5
Subjekt: %6 · Trace-ID: %7

Anfrage:
%8
Antwort:
%9</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="179"/>
        <location filename="../ui/ToolCallsPage.cpp" line="180"/>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="185"/>
        <source>(none: a cancelled request is not answered)</source>
        <translation>(keine: eine abgebrochene Anfrage wird nicht beantwortet)</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="217"/>
        <source>curl command copied (set KOAN_TOKEN first)</source>
        <translation>curl-Befehl kopiert (vorher KOAN_TOKEN setzen)</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="241"/>
        <source>Export tool calls</source>
        <translation>Tool-Aufrufe exportieren</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="242"/>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/ToolCallsPage.cpp" line="246"/>
        <source>%n call(s) exported</source>
        <translation>
            <numerusform>%n Aufruf exportiert</numerusform>
            <numerusform>%n Aufrufe exportiert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="247"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Re-run selected call</source>
        <translation type="vanished">Ausgewählten Aufruf wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="117"/>
        <source>Invoke a tool as the operator</source>
        <translation>Tool als Operator aufrufen</translation>
    </message>
    <message>
        <source>Session %1 · %2 · %3 ms

Request:
%4
Response:
%5</source>
        <translation type="vanished">Sitzung %1 · %2 · %3 ms

Anfrage:
%4
Antwort:
%5</translation>
    </message>
</context>
<context>
    <name>koan::ui::ToolLatencyModel</name>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="19"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="54"/>
        <source>Tool</source>
        <translation>Tool</translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="56"/>
        <source>Calls</source>
        <translation>Aufrufe</translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="58"/>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="60"/>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="62"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="64"/>
        <source>Max</source>
        <translation>Max</translation>
    </message>
</context>
<context>
    <name>koan::ui::TrafficModel</name>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="41"/>
        <source>stream opened</source>
        <translation>Stream geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="48"/>
        <source>(no event name)</source>
        <translation>(ohne Ereignisnamen)</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="79"/>
        <source>[cut: %1 of %2 bytes recorded]</source>
        <translation>[gekürzt: %1 von %2 Bytes aufgezeichnet]</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="98"/>
        <source>→ in</source>
        <translation>→ ein</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="98"/>
        <source>← out</source>
        <translation>← aus</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="121"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="123"/>
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="125"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="127"/>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
</context>
<context>
    <name>koan::ui::TrafficPage</name>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="31"/>
        <source>caller</source>
        <translation>Aufrufer</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="38"/>
        <source>Record</source>
        <translation>Aufzeichnen</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="39"/>
        <source>Record new sessions</source>
        <translation>Neue Sitzungen aufzeichnen</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="39"/>
        <source>Export JSON…</source>
        <translation>Als JSON exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="44"/>
        <source>Session or caller to record</source>
        <translation>Aufzuzeichnende Sitzung oder Aufrufer</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="48"/>
        <source>Record this session&apos;s wire traffic</source>
        <translation>Datenverkehr dieser Sitzung aufzeichnen</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="49"/>
        <source>Off by default. The server keeps the last frames of each recorded session in a bounded ring; bodies are cut at a bound; secrets are masked.</source>
        <translation>Standardmäßig aus. Der Server behält die letzten Frames jeder aufgezeichneten Sitzung in einem begrenzten Ringpuffer; Inhalte werden ab einer Grenze gekürzt; Geheimnisse werden maskiert.</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="52"/>
        <source>Record every new session from its first request</source>
        <translation>Jede neue Sitzung ab ihrer ersten Anfrage aufzeichnen</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="53"/>
        <source>Every session opened while this is on records from its first request (a legacy stream&apos;s endpoint event goes out as it opens).</source>
        <translation>Jede Sitzung, die geöffnet wird, während dies an ist, wird ab ihrer ersten Anfrage aufgezeichnet (das endpoint-Ereignis eines Legacy-Streams wird beim Öffnen gesendet).</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="56"/>
        <source>Export the recording as JSON</source>
        <translation>Aufzeichnung als JSON exportieren</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="68"/>
        <source>Recorded frames</source>
        <translation>Aufgezeichnete Frames</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="71"/>
        <source>Headers and body of the selected frame</source>
        <translation>Header und Inhalt des gewählten Frames</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="72"/>
        <source>Select a frame to see its headers and body.</source>
        <translation>Einen Frame wählen, um Header und Inhalt zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="108"/>
        <source>Session:</source>
        <translation>Sitzung:</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="139"/>
        <source>%1 · ended</source>
        <translation>%1 · beendet</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/TrafficPage.cpp" line="203"/>
        <source>%n frame(s)</source>
        <translation><numerusform>%n Frame</numerusform><numerusform>%n Frames</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="205"/>
        <source>%1 older dropped</source>
        <translation>%1 ältere verworfen</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="232"/>
        <location filename="../ui/TrafficPage.cpp" line="237"/>
        <source>Export wire traffic</source>
        <translation>Datenverkehr exportieren</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="232"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="237"/>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>koan::ui::TransportBar</name>
    <message>
        <location filename="../ui/TransportBar.cpp" line="45"/>
        <source>Disable HTTP+SSE transport</source>
        <translation>HTTP+SSE-Transport abschalten</translation>
    </message>
    <message numerus="yes">
        <source>Turn EnableHttpSseTransport off?

%n active legacy session(s) will receive a final event and be closed; new HTTP+SSE requests will get 503 until it is turned on again. STDIO keeps working.</source>
        <translation type="vanished">
            <numerusform>EnableHttpSseTransport abschalten?

%n aktive Legacy-Sitzung erhält ein letztes Ereignis und wird geschlossen; neue HTTP+SSE-Anfragen erhalten 503, bis der Schalter wieder an ist. STDIO funktioniert weiter.</numerusform>
            <numerusform>EnableHttpSseTransport abschalten?

%n aktive Legacy-Sitzungen erhalten ein letztes Ereignis und werden geschlossen; neue HTTP+SSE-Anfragen erhalten 503, bis der Schalter wieder an ist. STDIO funktioniert weiter.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="15"/>
        <source>Cut now…</source>
        <translation>Sofort trennen…</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="19"/>
        <source>End the drain: close the legacy streams still open now</source>
        <translation>Auslaufen beenden: die noch offenen Legacy-Streams jetzt schließen</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="60"/>
        <source>Cut the drain short</source>
        <translation>Auslaufen abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="61"/>
        <source>Close the %1 legacy stream(s) still draining now?

Reason:</source>
        <translation>Die %1 noch auslaufenden Legacy-Streams jetzt schließen?

Grund:</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="76"/>
        <source>EnableHttpSseTransport: ON</source>
        <translation>EnableHttpSseTransport: AN</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="78"/>
        <source>EnableHttpSseTransport: OFF (draining, %1 s left)</source>
        <translation>EnableHttpSseTransport: AUS (läuft aus, noch %1 s)</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="81"/>
        <source>EnableHttpSseTransport: OFF</source>
        <translation>EnableHttpSseTransport: AUS</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="100"/>
        <source>on</source>
        <translation>an</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="100"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="101"/>
        <source>(not listening)</source>
        <translation>(lauscht nicht)</translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="103"/>
        <source>HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   bind %6</source>
        <translation>HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   Bindung %6</translation>
    </message>
</context>
</TS>
