<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>koan::InProcessConsoleLink</name>
    <message>
        <location filename="../server/console/InProcessConsoleLink.h" line="15"/>
        <source>this process</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::RemoteConsoleLink</name>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="175"/>
        <source>nothing received for %1 s (not even a keep-alive)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="180"/>
        <source>the server ended the event stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="264"/>
        <source>refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="273"/>
        <source>rollback switch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="303"/>
        <source>disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="339"/>
        <source>cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="360"/>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="371"/>
        <source>traffic recording</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../server/console/RemoteConsoleLink.cpp" line="382"/>
        <source>traffic export</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::AboutDialog</name>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="14"/>
        <location filename="../ui/AboutDialog.cpp" line="15"/>
        <source>About Koan MCP console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="17"/>
        <source>attached to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="17"/>
        <source>the server in this process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="21"/>
        <source>Koan MCP console %1
Qt %2 (built with %3)
Console of %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="24"/>
        <source>Application, versions and attached server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="27"/>
        <source>Close the About dialog</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::AuthFailuresModel</name>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="45"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="47"/>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="49"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="51"/>
        <source>Remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="53"/>
        <source>Path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresModel.cpp" line="55"/>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::AuthFailuresPage</name>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="23"/>
        <source>Authentication failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="30"/>
        <source>Filter authentication failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="31"/>
        <source>Filter by reason, subject, remote, path…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/AuthFailuresPage.cpp" line="34"/>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::ClusterPage</name>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="22"/>
        <source>All replicas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="25"/>
        <source>Cluster state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="30"/>
        <source>Replicas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="40"/>
        <source>Sessions in the cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="47"/>
        <source>Show the sessions of all replicas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="60"/>
        <source>Sessions (2025-era Streamable HTTP and legacy HTTP+SSE; stateless 2026-07-28 requests have none: any replica answers them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="104"/>
        <source>Single node (SQLite): this server keeps its own store and sessions. With DatabaseUrl=postgresql://… the replicas sharing the database are listed here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/ClusterPage.cpp" line="108"/>
        <source>%n replica(s) on one PostgreSQL database</source>
        <translation><numerusform>%n replica on one PostgreSQL database</numerusform><numerusform>%n replicas on one PostgreSQL database</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/ClusterPage.cpp" line="109"/>
        <source>%n session(s)</source>
        <translation><numerusform>%n session</numerusform><numerusform>%n sessions</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="111"/>
        <source>(the first %1 listed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="114"/>
        <source>as of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterPage.cpp" line="116"/>
        <source>the database is unreachable: this is the last view</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::ClusterReplicasModel</name>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="32"/>
        <source>this replica</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="34"/>
        <source>late</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="34"/>
        <source>live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="53"/>
        <source>%1 (this replica)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="76"/>
        <source>Replica</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="78"/>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="80"/>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="82"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="84"/>
        <source>Last heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="86"/>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="88"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::ClusterSessionsModel</name>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="131"/>
        <source>HTTP+SSE (2024-11-05)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="132"/>
        <source>Streamable HTTP (2025)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="137"/>
        <source>anonymous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="153"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="155"/>
        <source>Replica</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="157"/>
        <source>Transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="159"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="161"/>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ClusterModels.cpp" line="163"/>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::EntitiesPage</name>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="50"/>
        <source>Entities and their overrides</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="62"/>
        <source>Reset selected to defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="77"/>
        <source>Invalid value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="79"/>
        <source>Double-click a cell to edit. Changes apply to the running server at once and are saved to your settings override file. Bold values differ from the entity&apos;s defaults.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="93"/>
        <source>Overrides</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="94"/>
        <source>Records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="102"/>
        <source>%1: applied and saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="105"/>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::EntityOverridesModel</name>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="30"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="84"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="168"/>
        <source>server default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="30"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="85"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="170"/>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntitiesPage.cpp" line="31"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="86"/>
        <location filename="../ui/EntityOverridesModel.cpp" line="172"/>
        <source>not required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="82"/>
        <source>allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="82"/>
        <source>read-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="103"/>
        <source>Entity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="105"/>
        <source>Tool prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="107"/>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="109"/>
        <source>Mutations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="111"/>
        <source>Authentication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="113"/>
        <source>Required scopes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="115"/>
        <source>Enabled transports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="125"/>
        <source>List transports (Stdio, HttpSse, StreamableHttp, Operator), or All / None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="129"/>
        <source>Unknown transport &quot;%1&quot;: use Stdio, HttpSse, StreamableHttp, Operator, All or None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="157"/>
        <source>Tool prefix &quot;%1&quot; must be lower-case letters, digits and &apos;-&apos; (e.g. trial-site)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="163"/>
        <source>The description cannot be empty: clients show it to models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="175"/>
        <source>Authentication must be &quot;server default&quot;, &quot;required&quot; or &quot;not required&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EntityOverridesModel.cpp" line="183"/>
        <source>&quot;%1&quot; is not a valid OAuth scope</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::HeartbeatsPage</name>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="20"/>
        <source>Active connections and heartbeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="21"/>
        <source>active connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="22"/>
        <source>heartbeats per sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="28"/>
        <source>Heartbeats by session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HeartbeatsPage.cpp" line="50"/>
        <source>Last %1 s (one sample every %2 s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::InvokePanel</name>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="20"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="21"/>
        <source>Cancel call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="25"/>
        <source>Tool to invoke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="28"/>
        <source>Cancel the running call (notifications/cancelled): the tool stops at its next check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="31"/>
        <source>Invocation result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="33"/>
        <source>The result appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="35"/>
        <location filename="../ui/InvokePanel.cpp" line="56"/>
        <source>Raw JSON-RPC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="103"/>
        <source>→ Request
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="105"/>
        <source>(incomplete: %1)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="106"/>
        <source>
← Last response
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="108"/>
        <source>(none yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="118"/>
        <source>Fix the form first:
- %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="123"/>
        <source>Running %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="134"/>
        <source>Cancelling %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="142"/>
        <source>%1 is not available any more (disabled or renamed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="160"/>
        <source>→ Request
%1
← Response
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="163"/>
        <source>(none: a cancelled request is not answered)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="166"/>
        <source>Cancelled after %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="171"/>
        <source>%1 in %2 ms

%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="172"/>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InvokePanel.cpp" line="172"/>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::LogsModel</name>
    <message>
        <location filename="../ui/LogsModel.cpp" line="67"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="69"/>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="71"/>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="73"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="75"/>
        <source>Trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsModel.cpp" line="77"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::LogsPage</name>
    <message>
        <location filename="../ui/LogsPage.cpp" line="56"/>
        <source>Minimum level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="57"/>
        <source>All levels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="58"/>
        <source>Info and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="59"/>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="60"/>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="66"/>
        <source>Search the log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="67"/>
        <source>Search message, category, session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="73"/>
        <source>Follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="79"/>
        <source>Log records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/LogsPage.cpp" line="113"/>
        <source>%1 of %2 records</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="55"/>
        <source>Koan MCP console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="73"/>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="74"/>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="75"/>
        <source>Session history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="76"/>
        <source>Heartbeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="77"/>
        <source>Auth failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="78"/>
        <source>Entities &amp;&amp; overrides</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="79"/>
        <source>Tool calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="80"/>
        <source>Logs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="81"/>
        <source>Tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="82"/>
        <source>Wire traffic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="83"/>
        <source>Cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="132"/>
        <source>%1 refused: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="144"/>
        <source>connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="163"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="164"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="168"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="169"/>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="171"/>
        <source>Copy the selected rows of the current table as text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="173"/>
        <source>&amp;Find</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="175"/>
        <source>Go to the current page&apos;s search or filter field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="178"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="189"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="191"/>
        <source>Ask the server again for sessions, status and history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="194"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="195"/>
        <source>&amp;About…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="198"/>
        <source>Main menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="199"/>
        <source>File menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="200"/>
        <source>Edit menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="201"/>
        <source>View menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="202"/>
        <source>Help menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/MainWindow.cpp" line="271"/>
        <source>%n row(s) copied</source>
        <translation><numerusform>%n row copied</numerusform><numerusform>%n rows copied</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="293"/>
        <source>Not connected to %1: %2. Reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="302"/>
        <source>attached to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="306"/>
        <source>%1 · environment %2 · authentication %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="303"/>
        <source>HTTP not listening</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="54"/>
        <source>Koan MCP console — attached to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="307"/>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="307"/>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="317"/>
        <source>sessions %1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="318"/>
        <source>auth failures %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::OverviewPage</name>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="41"/>
        <source>Sessions by transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="42"/>
        <source>HTTP+SSE (2024-11-05)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="43"/>
        <source>Streamable HTTP (2025)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="44"/>
        <source>Tool calls per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="45"/>
        <source>calls/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="46"/>
        <source>errors/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="47"/>
        <source>Call latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="48"/>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="49"/>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="51"/>
        <source>Authentication failures per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="52"/>
        <source>auth failures/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="53"/>
        <source>Queued bytes (all streams)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="54"/>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="56"/>
        <source>Stateless era (2026-07-28)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="57"/>
        <source>callers (last minute)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="58"/>
        <source>listen streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="67"/>
        <source>Authentication failures by reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="68"/>
        <source>No authentication failures in the window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="71"/>
        <source>Tool latency over the last 15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="85"/>
        <location filename="../ui/OverviewPage.cpp" line="197"/>
        <source>Latency distribution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="86"/>
        <source>No tool calls in the last 15 minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="89"/>
        <source>Overview summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="111"/>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/OverviewPage.cpp" line="202"/>
        <source>Latency distribution: %1 (%n call(s))</source>
        <translation><numerusform>Latency distribution: %1 (%n call)</numerusform><numerusform>Latency distribution: %1 (%n calls)</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="214"/>
        <source>&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="215"/>
        <source>≤ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="234"/>
        <source>&lt;p style=&apos;font-size:large&apos;&gt;&lt;b&gt;Now&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1 legacy + %2 Streamable sessions (peak %3 + %4)&lt;/p&gt;&lt;p&gt;%5 tool calls, %6 errors, %7 auth failures in the last %8 min&lt;/p&gt;&lt;p&gt;latency now p50 %9 · p95 %10&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/OverviewPage.cpp" line="245"/>
        <source>&lt;p&gt;2026-07-28: %1 callers in the last minute (peak %2), %3 listen streams&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::RecordBrowser</name>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="93"/>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="98"/>
        <source>Entity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="100"/>
        <source>Search field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="101"/>
        <source>The field to match: id, or a field of the records (equality)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="105"/>
        <source>Search value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="106"/>
        <source>Value to match; empty lists the first %1 records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="109"/>
        <source>Search records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="110"/>
        <location filename="../ui/RecordBrowser.cpp" line="143"/>
        <source>Records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="112"/>
        <source>Versions of the record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="114"/>
        <source>Select two versions to compare them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="116"/>
        <source>Compare from version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="118"/>
        <source>Compare to version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="120"/>
        <source>Changes between the two versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="124"/>
        <source>Open a record and choose two versions to see what changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="129"/>
        <source>&amp;Entity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="131"/>
        <source>&amp;Find where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="147"/>
        <source>Versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="151"/>
        <source>Compare &amp;from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="153"/>
        <source>&amp;to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="250"/>
        <source>Searching %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="292"/>
        <source>Loading the versions of %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="315"/>
        <source>%1 of %2 records shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="333"/>
        <source>Record %1 found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="339"/>
        <location filename="../ui/RecordBrowser.cpp" line="344"/>
        <source>No %1 record has the id %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="348"/>
        <source>deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="350"/>
        <source>Record %1 was deleted; its history remains.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="378"/>
        <source>%1 · %2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowser.cpp" line="387"/>
        <source>%1: %2 versions.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::RecordVersionsModel</name>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="179"/>
        <source>deleted (v%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="179"/>
        <source>deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="180"/>
        <source>v%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="198"/>
        <source>This change could not be replayed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="227"/>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="229"/>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="231"/>
        <source>Operation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="233"/>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="235"/>
        <source>Transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="248"/>
        <source>From %1 to %2:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="250"/>
        <source>No differences.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="267"/>
        <source>JSON Patch:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::RecordsModel</name>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="105"/>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="107"/>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RecordBrowserModels.cpp" line="109"/>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::RollbackDialog</name>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="15"/>
        <source>&amp;Drain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="16"/>
        <source>&amp;Cut now</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/RollbackDialog.cpp" line="22"/>
        <source>Turn EnableHttpSseTransport off?

%n active legacy session(s) will end. New HTTP+SSE requests get 503 until it is turned on again; STDIO keeps working.</source>
        <translation>
            <numerusform>Turn EnableHttpSseTransport off?

%n active legacy session will end. New HTTP+SSE requests get 503 until it is turned on again; STDIO keeps working.</numerusform>
            <numerusform>Turn EnableHttpSseTransport off?

%n active legacy sessions will end. New HTTP+SSE requests get 503 until it is turned on again; STDIO keeps working.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="26"/>
        <source>New legacy streams are refused at once; open ones may finish within the timeout, then they are closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="29"/>
        <source>Open legacy streams receive a final event and are closed now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="34"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="35"/>
        <source>Drain timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="37"/>
        <source>Why? (recorded in the audit trail with your name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="38"/>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="40"/>
        <source>Turn off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="46"/>
        <source>How:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="47"/>
        <source>Drain timeout:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/RollbackDialog.cpp" line="48"/>
        <source>Reason:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::SchemaForm</name>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="114"/>
        <source>[ … ] (JSON array)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="115"/>
        <source>{ … } (JSON object)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="131"/>
        <source>set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="133"/>
        <source>Send %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="178"/>
        <source>%1: invalid JSON (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SchemaForm.cpp" line="185"/>
        <source>%1 is required</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionHistoryModel</name>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="25"/>
        <source>client closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="27"/>
        <source>DELETE by client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="29"/>
        <source>idle timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="31"/>
        <source>heartbeat write failed (slow reader)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="33"/>
        <source>token expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="35"/>
        <source>disconnected by the operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="37"/>
        <source>transport disabled (cut)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="39"/>
        <source>transport disabled (drain timeout)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="41"/>
        <source>server shutdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="43"/>
        <source>initialize failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="47"/>
        <source>other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="54"/>
        <location filename="../ui/SessionHistoryModel.cpp" line="56"/>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="58"/>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="59"/>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="155"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="157"/>
        <source>Transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="159"/>
        <source>Era</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="161"/>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="163"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="165"/>
        <source>Remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="167"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="169"/>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="171"/>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="173"/>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="175"/>
        <source>In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryModel.cpp" line="177"/>
        <source>Out</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionHistoryPage</name>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="31"/>
        <source>Ended sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="42"/>
        <source>Filter session history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="43"/>
        <source>Filter by id, transport, client, subject, remote…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="50"/>
        <source>All reasons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionHistoryPage.cpp" line="78"/>
        <source>%1 of %2 ended session(s) shown (the server keeps the last %3)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionsModel</name>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="17"/>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="19"/>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="20"/>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="111"/>
        <source>no stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="113"/>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="115"/>
        <source>healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="117"/>
        <source>late</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="119"/>
        <source>missed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="97"/>
        <source>anonymous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="87"/>
        <source>stateless caller (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="89"/>
        <source>listen stream (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="90"/>
        <source>session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="90"/>
        <source>session (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="98"/>
        <source>%1 (issuer %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="198"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="200"/>
        <source>Transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="202"/>
        <source>Era</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="204"/>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="206"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="208"/>
        <source>Remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="210"/>
        <source>User agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="212"/>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="214"/>
        <source>Last activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="216"/>
        <source>Last heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="218"/>
        <source>Heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="220"/>
        <source>In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="222"/>
        <source>Out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsModel.cpp" line="224"/>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::SessionsPage</name>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="25"/>
        <source>Live sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="38"/>
        <source>Filter sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="39"/>
        <source>Filter by id, transport, client, subject, remote…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="42"/>
        <source>Disconnect session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="59"/>
        <location filename="../ui/SessionsPage.cpp" line="65"/>
        <location filename="../ui/SessionsPage.cpp" line="69"/>
        <source>Disconnect session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="59"/>
        <source>Select a session first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="66"/>
        <source>%1 is a 2026-07-28 caller: it holds no session or stream to disconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SessionsPage.cpp" line="70"/>
        <source>Disconnect session %1? Its streams are closed; the client has to reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::Sparkline</name>
    <message>
        <location filename="../ui/Sparkline.cpp" line="213"/>
        <source>%1: %2 (peak %3)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::TasksModel</name>
    <message>
        <location filename="../ui/TasksModel.cpp" line="20"/>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="22"/>
        <source>waiting for input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="24"/>
        <source>completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="26"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="28"/>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="86"/>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="88"/>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="109"/>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="111"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="113"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="115"/>
        <source>Owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="117"/>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="119"/>
        <source>Updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="121"/>
        <source>Status message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksModel.cpp" line="123"/>
        <source>Task id</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::TasksPage</name>
    <message>
        <location filename="../ui/TasksPage.cpp" line="20"/>
        <source>Cancel task…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="28"/>
        <source>Tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="44"/>
        <source>Filter tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="45"/>
        <source>Filter by tool, status, owner, message, id…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="49"/>
        <source>Cancel the selected task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="50"/>
        <source>Cancel the selected running task (any principal&apos;s); recorded in the audit trail</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/TasksPage.cpp" line="75"/>
        <source>%n running</source>
        <translation><numerusform>%n running</numerusform><numerusform>%n running</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/TasksPage.cpp" line="76"/>
        <source>%n listed</source>
        <translation><numerusform>%n listed</numerusform><numerusform>%n listed</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="97"/>
        <location filename="../ui/TasksPage.cpp" line="102"/>
        <source>Cancel task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="97"/>
        <source>Select a running task first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="103"/>
        <source>Cancel task %1 (%2, owned by %3)? It stops before its next unit of work; what it has committed stays. The cancel is recorded in the audit trail.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="108"/>
        <source>Cancelling %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="114"/>
        <source>Task %1 cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TasksPage.cpp" line="114"/>
        <source>Task %1 not cancelled: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::ToolCallsModel</name>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="33"/>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="128"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="27"/>
        <source>(stateless)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="27"/>
        <source>%1 (stateless)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="35"/>
        <source>tool error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="37"/>
        <source>JSON-RPC error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="39"/>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="41"/>
        <source>input required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="43"/>
        <source>task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="52"/>
        <source>legacy SSE %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="89"/>
        <source>W3C trace id from the request&apos;s _meta.traceparent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="90"/>
        <source>Pinned: stays at the top and is never dropped from the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="130"/>
        <source>Session / caller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="132"/>
        <source>Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="134"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="136"/>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="138"/>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="140"/>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsModel.cpp" line="142"/>
        <source>Trace id</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::ToolCallsPage</name>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="32"/>
        <location filename="../ui/ToolCallsPage.cpp" line="173"/>
        <source>Pin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="36"/>
        <source>Tool calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="45"/>
        <source>Selected call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="47"/>
        <source>Select a call to see its request and response.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="58"/>
        <source>Search tool calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="59"/>
        <source>Search arguments, responses, trace ids…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="65"/>
        <source>All tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="65"/>
        <source>Filter by tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="66"/>
        <source>All sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="66"/>
        <source>Filter by session or caller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="67"/>
        <source>All subjects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="67"/>
        <source>Filter by subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="68"/>
        <source>All outcomes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="68"/>
        <source>Filter by outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="84"/>
        <source>Replay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="86"/>
        <source>Run the selected call again as the operator, with the same arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="89"/>
        <source>Pinned calls stay at the top and are never dropped from the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="91"/>
        <source>Copy as curl</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="93"/>
        <source>The selected call as a curl command for its protocol era; the token is $KOAN_TOKEN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="95"/>
        <source>Export JSONL…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="97"/>
        <source>Save the calls the filter shows, one JSON object a line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="173"/>
        <source>Unpin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="175"/>
        <source>%1 · %2 · %3 · %4 ms · %5
Subject: %6 · trace id: %7

Request:
%8
Response:
%9</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="179"/>
        <location filename="../ui/ToolCallsPage.cpp" line="180"/>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="185"/>
        <source>(none: a cancelled request is not answered)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="217"/>
        <source>curl command copied (set KOAN_TOKEN first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="241"/>
        <source>Export tool calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="242"/>
        <source>JSON Lines (*.jsonl)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/ToolCallsPage.cpp" line="246"/>
        <source>%n call(s) exported</source>
        <translation><numerusform>%n call exported</numerusform><numerusform>%n calls exported</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="247"/>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolCallsPage.cpp" line="117"/>
        <source>Invoke a tool as the operator</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::ToolLatencyModel</name>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="19"/>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="54"/>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="56"/>
        <source>Calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="58"/>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="60"/>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="62"/>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ToolLatencyModel.cpp" line="64"/>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::TrafficModel</name>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="41"/>
        <source>stream opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="48"/>
        <source>(no event name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="79"/>
        <source>[cut: %1 of %2 bytes recorded]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="98"/>
        <source>→ in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="98"/>
        <source>← out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="121"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="123"/>
        <source>Direction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="125"/>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficModel.cpp" line="127"/>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::TrafficPage</name>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="31"/>
        <source>caller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="38"/>
        <source>Record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="39"/>
        <source>Record new sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="39"/>
        <source>Export JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="44"/>
        <source>Session or caller to record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="48"/>
        <source>Record this session&apos;s wire traffic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="49"/>
        <source>Off by default. The server keeps the last frames of each recorded session in a bounded ring; bodies are cut at a bound; secrets are masked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="52"/>
        <source>Record every new session from its first request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="53"/>
        <source>Every session opened while this is on records from its first request (a legacy stream&apos;s endpoint event goes out as it opens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="56"/>
        <source>Export the recording as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="68"/>
        <source>Recorded frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="71"/>
        <source>Headers and body of the selected frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="72"/>
        <source>Select a frame to see its headers and body.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="108"/>
        <source>Session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="139"/>
        <source>%1 · ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/TrafficPage.cpp" line="203"/>
        <source>%n frame(s)</source>
        <translation><numerusform>%n frame</numerusform><numerusform>%n frames</numerusform></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="205"/>
        <source>%1 older dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="232"/>
        <location filename="../ui/TrafficPage.cpp" line="237"/>
        <source>Export wire traffic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="232"/>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TrafficPage.cpp" line="237"/>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>koan::ui::TransportBar</name>
    <message>
        <location filename="../ui/TransportBar.cpp" line="45"/>
        <source>Disable HTTP+SSE transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Turn EnableHttpSseTransport off?

%n active legacy session(s) will receive a final event and be closed; new HTTP+SSE requests will get 503 until it is turned on again. STDIO keeps working.</source>
        <translation type="vanished">
            <numerusform>Turn EnableHttpSseTransport off?

%n active legacy session will receive a final event and be closed; new HTTP+SSE requests will get 503 until it is turned on again. STDIO keeps working.</numerusform>
            <numerusform>Turn EnableHttpSseTransport off?

%n active legacy sessions will receive a final event and be closed; new HTTP+SSE requests will get 503 until it is turned on again. STDIO keeps working.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="15"/>
        <source>Cut now…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="19"/>
        <source>End the drain: close the legacy streams still open now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="60"/>
        <source>Cut the drain short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="61"/>
        <source>Close the %1 legacy stream(s) still draining now?

Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="76"/>
        <source>EnableHttpSseTransport: ON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="78"/>
        <source>EnableHttpSseTransport: OFF (draining, %1 s left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="81"/>
        <source>EnableHttpSseTransport: OFF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="100"/>
        <source>on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="100"/>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="101"/>
        <source>(not listening)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/TransportBar.cpp" line="103"/>
        <source>HTTP+SSE %1: %2%3/sse   |   Streamable HTTP %4: %2%3   |   STDIO %5: koan-mcp --stdio   |   bind %6</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
