#include "S12MedTrials.h"

namespace koan::s12 {

namespace {
using F = FieldDescriptor;

F field(const QString &name, F::Type type, const QString &description, bool required = false)
{
    F f;
    f.name = name;
    f.type = type;
    f.description = description;
    f.required = required;
    return f;
}
F enumField(const QString &name, const QStringList &values, const QString &description, bool required = false,
            const QString &defaultValue = {})
{
    F f = field(name, F::Enum, description, required);
    f.enumValues = values;
    if (!defaultValue.isEmpty())
        f.defaultValue = defaultValue;
    return f;
}
F stamp(const QString &name, const QString &description)
{
    F f = field(name, F::DateTime, description);
    f.serverManaged = true;
    return f;
}
F withDefault(F f, const QJsonValue &value)
{
    f.defaultValue = value;
    return f;
}

const QStringList kVisitStatus{QStringLiteral("Scheduled"), QStringLiteral("Completed"), QStringLiteral("Proposed"),
                               QStringLiteral("Cancelled")};
const QStringList kVisitType{QStringLiteral("Screening"), QStringLiteral("Baseline"),   QStringLiteral("Treatment"),
                             QStringLiteral("FollowUp"),  QStringLiteral("Telehealth"), QStringLiteral("SafetyCheck")};
const QStringList kSeverity{QStringLiteral("Mild"), QStringLiteral("Moderate"), QStringLiteral("Severe"),
                            QStringLiteral("LifeThreatening")};
const QStringList kEventStatus{QStringLiteral("Open"), QStringLiteral("Investigating"), QStringLiteral("Closed"),
                               QStringLiteral("Escalated")};
const QStringList kVectorState{QStringLiteral("Pending"), QStringLiteral("Indexed"), QStringLiteral("Degraded")};
const QStringList kDiagnosticSeverity{QStringLiteral("Info"), QStringLiteral("Warning"), QStringLiteral("Critical")};
const QStringList kRegulatoryStatus{QStringLiteral("Pending"), QStringLiteral("Approved"), QStringLiteral("Suspended"),
                                    QStringLiteral("Closed")};

QList<F> diagnostics(bool withDetails)
{
    QList<F> d{field(QStringLiteral("code"), F::String, QStringLiteral("Diagnostic code"), true),
               field(QStringLiteral("message"), F::String, QStringLiteral("Human-readable message"), true),
               enumField(QStringLiteral("severity"), kDiagnosticSeverity, QStringLiteral("Diagnostic severity"), true),
               field(QStringLiteral("recordedAt"), F::DateTime, QStringLiteral("When it was recorded"), true)};
    if (withDetails)
        d << field(QStringLiteral("details"), F::String, QStringLiteral("Additional details"));
    return d;
}

EntityDescriptor entity(const QString &name, const QString &description, const QString &scope, QList<F> fields)
{
    EntityDescriptor e;
    e.name = name;
    e.toolPrefix = kebabCase(name);
    e.table = QString(e.toolPrefix).replace(QLatin1Char('-'), QLatin1Char('_'));
    e.description = description;
    e.requiredScopes = {scope};
    e.fields = std::move(fields);
    return e;
}
} // namespace

QList<EntityDescriptor> entities()
{
    F adjustments = field(QStringLiteral("proposedAdjustments"), F::ObjectList,
                          QStringLiteral("Proposed schedule adjustments awaiting approval"));
    adjustments.nested = {
        field(QStringLiteral("proposedBy"), F::String, QStringLiteral("Who proposed it"), true),
        field(QStringLiteral("proposedAt"), F::DateTime, QStringLiteral("When it was proposed"), true),
        field(QStringLiteral("suggestedDate"), F::DateTime, QStringLiteral("Suggested new visit time"), true),
        field(QStringLiteral("summary"), F::String, QStringLiteral("What changes"), true),
        field(QStringLiteral("rationale"), F::String, QStringLiteral("Why")),
        field(QStringLiteral("source"), F::String, QStringLiteral("Origin of the proposal (planner, coordinator)")),
        field(QStringLiteral("citations"), F::StringList, QStringLiteral("Supporting references")),
        withDefault(field(QStringLiteral("requiresApproval"), F::Boolean, QStringLiteral("Needs PI approval")), true),
        field(QStringLiteral("model"), F::String, QStringLiteral("AI model that proposed it, if any")),
    };
    F visitDiagnostics = field(QStringLiteral("diagnostics"), F::ObjectList, QStringLiteral("Visit diagnostics"));
    visitDiagnostics.nested = diagnostics(true);
    F documentDiagnostics
        = field(QStringLiteral("diagnostics"), F::ObjectList, QStringLiteral("Ingestion diagnostics"));
    documentDiagnostics.nested = diagnostics(false);
    const F tags = field(QStringLiteral("tags"), F::StringList, QStringLiteral("Free-form tags"));
    // Every other entity belongs to a site: writes naming a site that does not exist are refused.
    F siteId = field(QStringLiteral("trialSiteId"), F::String, QStringLiteral("Id of the TrialSite"), true);
    siteId.references = QStringLiteral("TrialSite");
    F optionalSiteId
        = field(QStringLiteral("trialSiteId"), F::String, QStringLiteral("Id of the TrialSite, if site-specific"));
    optionalSiteId.references = QStringLiteral("TrialSite");

    QList<EntityDescriptor> all{
        entity(
            QStringLiteral("TrialSite"), QStringLiteral("Clinical trial site with enrollment and regulatory status"),
            kScopeOperations,
            {field(QStringLiteral("name"), F::String, QStringLiteral("Site name"), true),
             field(QStringLiteral("location"), F::String, QStringLiteral("City and country"), true),
             field(QStringLiteral("principalInvestigator"), F::String, QStringLiteral("Principal investigator"), true),
             withDefault(
                 field(QStringLiteral("enrollmentTarget"), F::Integer, QStringLiteral("Participants to enroll")), 0),
             withDefault(
                 field(QStringLiteral("currentEnrollment"), F::Integer, QStringLiteral("Participants enrolled so far")),
                 0),
             enumField(QStringLiteral("regulatoryStatus"), kRegulatoryStatus, QStringLiteral("IRB / regulatory status"),
                       false, QStringLiteral("Pending")),
             field(QStringLiteral("phase"), F::String, QStringLiteral("Trial phase (e.g. Phase II)")),
             field(QStringLiteral("metadata"), F::StringMap, QStringLiteral("Additional key/value metadata")),
             stamp(QStringLiteral("updatedAt"), QStringLiteral("Last change (server-managed)"))}),
        entity(QStringLiteral("ParticipantVisit"), QStringLiteral("Scheduled or completed participant visit"),
               kScopeOperations,
               {siteId,
                field(QStringLiteral("participantId"), F::String, QStringLiteral("Participant identifier"), true),
                enumField(QStringLiteral("visitType"), kVisitType, QStringLiteral("Kind of visit"), true),
                field(QStringLiteral("scheduledAt"), F::DateTime, QStringLiteral("Scheduled date and time"), true),
                enumField(QStringLiteral("status"), kVisitStatus, QStringLiteral("Visit status"), false,
                          QStringLiteral("Scheduled")),
                field(QStringLiteral("cohort"), F::String, QStringLiteral("Cohort label")),
                field(QStringLiteral("windowLabel"), F::String, QStringLiteral("Protocol visit window (e.g. Week 4)")),
                adjustments, visitDiagnostics, tags,
                stamp(QStringLiteral("updatedAt"), QStringLiteral("Last change (server-managed)"))}),
        entity(QStringLiteral("AdverseEventReport"), QStringLiteral("Adverse event reported for a participant"),
               kScopeSafety,
               {siteId,
                field(QStringLiteral("participantVisitId"), F::String, QStringLiteral("Related ParticipantVisit id")),
                field(QStringLiteral("participantId"), F::String, QStringLiteral("Participant identifier"), true),
                enumField(QStringLiteral("severity"), kSeverity, QStringLiteral("Severity grade"), true),
                field(QStringLiteral("description"), F::String, QStringLiteral("What happened"), true),
                field(QStringLiteral("onsetDate"), F::Date, QStringLiteral("Date of onset (YYYY-MM-DD)"), true),
                enumField(QStringLiteral("status"), kEventStatus, QStringLiteral("Investigation status"), false,
                          QStringLiteral("Open")),
                field(QStringLiteral("sourceDocuments"), F::StringList, QStringLiteral("Source document references")),
                tags, stamp(QStringLiteral("reportedAt"), QStringLiteral("When it was reported (defaults to now)")),
                stamp(QStringLiteral("updatedAt"), QStringLiteral("Last change (server-managed)"))}),
        entity(QStringLiteral("MonitoringNote"), QStringLiteral("Monitoring visit note for a site"), kScopeOperations,
               {siteId,
                field(QStringLiteral("participantVisitId"), F::String, QStringLiteral("Related ParticipantVisit id")),
                withDefault(field(QStringLiteral("noteType"), F::String, QStringLiteral("Note category")),
                            QStringLiteral("General")),
                field(QStringLiteral("summary"), F::String, QStringLiteral("Note text"), true),
                withDefault(field(QStringLiteral("followUpRequired"), F::Boolean, QStringLiteral("Needs follow-up")),
                            false),
                field(QStringLiteral("enteredBy"), F::String, QStringLiteral("Author"), true), tags,
                stamp(QStringLiteral("createdAt"), QStringLiteral("When it was written (server-managed)"))}),
        entity(QStringLiteral("ProtocolDocument"), QStringLiteral("Trial protocol or supporting document"),
               kScopeDocuments,
               {optionalSiteId, field(QStringLiteral("title"), F::String, QStringLiteral("Document title"), true),
                withDefault(field(QStringLiteral("documentType"), F::String, QStringLiteral("Document type")),
                            QStringLiteral("Protocol")),
                // Not "version": every record's top-level version is the server's (stores written by
                // 0.1 are upgraded: version -> documentVersion).
                field(QStringLiteral("documentVersion"), F::String, QStringLiteral("Document version, e.g. \"3.0\"")),
                field(QStringLiteral("fileReference"), F::String, QStringLiteral("Where the file lives")),
                withDefault(field(QStringLiteral("extractedText"), F::String, QStringLiteral("Extracted text")),
                            QString()),
                tags, field(QStringLiteral("effectiveDate"), F::Date, QStringLiteral("Effective date (YYYY-MM-DD)")),
                enumField(QStringLiteral("vectorState"), kVectorState, QStringLiteral("Embedding state"), false,
                          QStringLiteral("Pending")),
                stamp(QStringLiteral("ingestedAt"), QStringLiteral("When it was ingested (defaults to now)")),
                field(QStringLiteral("lastEmbeddedAt"), F::DateTime, QStringLiteral("Last embedding run")),
                documentDiagnostics,
                field(QStringLiteral("metadata"), F::StringMap, QStringLiteral("Additional key/value metadata"))}),
    };
    for (EntityDescriptor &e : all)
        if (e.name == QLatin1String("ProtocolDocument"))
            e.renamedFields.insert(QStringLiteral("version"), QStringLiteral("documentVersion"));
    return all;
}

QList<RecordPrompt> prompts()
{
    RecordPrompt triage;
    triage.name = QStringLiteral("adverse-event-triage");
    triage.title = QStringLiteral("Adverse event triage");
    triage.description = QStringLiteral("Triage one adverse event report for a safety reviewer: the report and its "
                                        "site as embedded resources, with review instructions");
    triage.argument = QStringLiteral("reportId");
    triage.argumentDescription = QStringLiteral("Id of the AdverseEventReport, e.g. ae-0001");
    triage.entity = QStringLiteral("AdverseEventReport");
    triage.instructions = QStringLiteral(
        "You are assisting a clinical safety reviewer. Using only the report and site records above:\n"
        "1. Summarise the event (onset, severity, participant, visit) in two sentences.\n"
        "2. Assess seriousness against ICH E2A criteria (death, life-threatening, hospitalisation, disability, "
        "congenital anomaly, other medically important) and say which, if any, apply and why.\n"
        "3. Flag whether expedited reporting may be required and what is missing to decide (causality, "
        "expectedness per the protocol, outcome).\n"
        "4. Note the site's regulatory status and anything about the site that affects the follow-up.\n"
        "5. Propose the next status (Open, Investigating, Escalated, Closed) and the follow-up actions with owners.\n"
        "Do not invent facts that the records do not contain; say what is unknown.");

    RecordPrompt monitoring;
    monitoring.name = QStringLiteral("site-monitoring-summary");
    monitoring.title = QStringLiteral("Site monitoring summary");
    monitoring.description = QStringLiteral("Summarise one trial site for a monitor: the site, its participant visits, "
                                            "monitoring notes and open adverse events as embedded resources");
    monitoring.argument = QStringLiteral("siteId");
    monitoring.argumentDescription = QStringLiteral("Id of the TrialSite, e.g. site-boston");
    monitoring.entity = QStringLiteral("TrialSite");
    monitoring.related = {
        {QStringLiteral("ParticipantVisit"), QStringLiteral("trialSiteId"), {}, {}},
        {QStringLiteral("MonitoringNote"), QStringLiteral("trialSiteId"), {}, {}},
        {QStringLiteral("AdverseEventReport"),
         QStringLiteral("trialSiteId"),
         QStringLiteral("status"),
         {QStringLiteral("Closed")}},
    };
    monitoring.instructions = QStringLiteral(
        "You are preparing a monitoring visit summary for a clinical research associate. Using only the records "
        "above:\n"
        "1. Enrollment against target and the site's regulatory status.\n"
        "2. Visits: completed, scheduled and missed or out of window, by participant.\n"
        "3. Monitoring notes: findings and every follow-up still required.\n"
        "4. Open adverse events (not Closed): severity, status and what the site must do next.\n"
        "5. A short list of actions for the next visit, most urgent first.\n"
        "Say plainly when a section has no records.");
    return {triage, monitoring};
}

EntityCatalog catalog()
{
    EntityCatalog c{entities(), QStringLiteral(":/s12/s12-medtrials.json")};
    c.resourceScheme = QStringLiteral("s12");
    c.prompts = prompts();
    return c;
}

} // namespace koan::s12
