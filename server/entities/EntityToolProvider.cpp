#include "EntityToolProvider.h"

#include "protocol/JsonPatch.h"
#include "protocol/JsonSchemaValidator.h"
#include "protocol/JsonWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTimer>
#include <QUuid>

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcEntityTools, "koan.entities")

namespace koan {

namespace {
QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
QJsonObject storeError(const QString &message)
{
    return toolErrorResult(QStringLiteral("store_error"), message);
}

// A refused write: the text for people, structuredContent.error for agents (code, id, versions).
QJsonObject refusal(const EntityStore::Outcome &o)
{
    if (o.code == QLatin1String("store_error"))
        return storeError(o.message);
    QJsonObject result = toolErrorResult(o.code, o.message, o.errorJson());
    result.insert(QStringLiteral("structuredContent"), QJsonObject{{QStringLiteral("error"), o.errorJson()}});
    return result;
}

std::optional<qint64> versionArg(const QJsonValue &v)
{
    return v.isDouble() ? std::optional<qint64>(qint64(v.toDouble())) : std::nullopt;
}

// Who makes this call, for the audit trail.
WriteContext contextOf(const ToolCall &call)
{
    WriteContext c;
    const SessionPtr &s = call.session;
    c.operationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    c.traceId = call.traceId;
    if (!s)
        return c;
    c.transport = transportName(s->transport);
    c.era = s->protocolVersion;
    c.session = s->id;
    const Principal &p = s->principal;
    if (p.authenticated)
        c.principal = p.issuer + QLatin1Char('|') + p.subject;
    else if (s->transport == TransportKind::Operator)
        c.principal = WriteContext::localOperator().principal;
    else if (s->transport == TransportKind::Stdio)
        c.principal = QStringLiteral("stdio");
    else
        c.principal = QStringLiteral("anonymous");
    return c;
}
} // namespace

struct EntityToolProvider::Job {
    const EntityDescriptor *entity = nullptr;
    EntityRegistry::Op op = EntityRegistry::Op::Export;
    ToolCall call;
    WriteContext context;
    std::function<void(const QJsonObject &)> done;
    int next = 0;  // the first record (or page) not yet done
    int total = 0; // records to do (an export learns it from the first page)
    // upsert-many / delete-many
    QJsonArray models;
    QStringList ids;
    QHash<QString, qint64> expected;
    QSet<QString> seen;
    std::optional<EntityStore::Idempotency> idem;
    bool settled = false; // the last chunk's write kept the whole answer with the key
    QJsonArray written;
    int created = 0;
    int deleted = 0;
    QStringList missing;
    // exports
    std::shared_ptr<ExportSnapshot> snapshot; // {entity}.export: the table as it was at the start
    QByteArray lines;
    int count = 0;
    QString auditSince;    // audit.export: rows from this instant,
    QString auditEntity;   // of this entity only (empty: all),
    qint64 auditUpTo = 0;  // up to this seq (the last at the start)
    qint64 auditAfter = 0; // keyset: the last seq read

    void progress(const QString &message) const
    {
        if (!call.notify || (!call.asTask && call.progressToken.isUndefined()))
            return;
        QJsonObject p{{QStringLiteral("progress"), next}, {QStringLiteral("message"), message}};
        if (total > 0)
            p.insert(QStringLiteral("total"), total);
        if (!call.progressToken.isUndefined())
            p.insert(QStringLiteral("progressToken"), call.progressToken);
        call.notify(QStringLiteral("notifications/progress"), p);
    }
    bool cancelled() const { return call.cancelled && call.cancelled->load(); }
};

EntityToolProvider::EntityToolProvider(EntityRegistry *registry, EntityStore *store, QString seedResource)
    : m_registry(registry), m_store(store), m_seedResource(std::move(seedResource)),
      m_jobContext(std::make_unique<QObject>()),
      m_runner(QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid()))
{
    m_auditExport.name = QLatin1String(kAuditExport);
    m_auditExport.title = QStringLiteral("Audit trail export");
    m_auditExport.description = QStringLiteral(
        "Export the audit trail (every change to records and settings, hash-chained) as JSON Lines, oldest first, "
        "as an embedded application/jsonl resource; `since` (ISO 8601 UTC) and `entity` narrow it. Needs read "
        "access to every entity it covers. Run as a task it converts 500 rows at a time between other requests, "
        "reports progress and stops on tasks/cancel.");
    m_auditExport.inputSchema = QJsonObject{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("since"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                  {QStringLiteral("description"),
                                   QStringLiteral("first instant, ISO 8601 UTC (default: the beginning)")}}},
                     {QStringLiteral("entity"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                  {QStringLiteral("description"), QStringLiteral("only this entity's rows")}}}}},
        {QStringLiteral("additionalProperties"), false}};
    m_auditExport.annotations
        = QJsonObject{{QStringLiteral("readOnlyHint"), true}, {QStringLiteral("openWorldHint"), false}};
    m_auditExport.taskSupport = TaskSupport::Optional;
}

EntityToolProvider::~EntityToolProvider() = default;

QList<ToolDefinition> EntityToolProvider::tools(const McpSession &session) const
{
    QList<ToolDefinition> out;
    for (const auto &t : m_registry->tools())
        if (m_registry->access(t, session).verdict == ToolAccess::Allowed)
            out.append(t.definition);
    if (auditExportAccess(QString(), session).verdict == ToolAccess::Allowed)
        out.append(m_auditExport);
    return out;
}

ToolAccess EntityToolProvider::access(const QString &name, const McpSession &session) const
{
    if (name == QLatin1String(kAuditExport))
        return auditExportAccess(QString(), session);
    const EntityRegistry::Tool *t = m_registry->tool(name);
    return t ? m_registry->access(*t, session) : ToolAccess{};
}

ToolAccess EntityToolProvider::auditExportAccess(const QString &entityName, const McpSession &session) const
{
    // The audit rows hold the records themselves: whoever may read every entity they cover.
    for (const auto &t : m_registry->tools()) {
        if (t.op != EntityRegistry::Op::Collection || (!entityName.isEmpty() && t.entity->name != entityName))
            continue;
        const ToolAccess a = m_registry->access(t, session);
        if (a.verdict == ToolAccess::Denied)
            return {ToolAccess::Denied,
                    QStringLiteral("audit.export needs read access to %1: %2").arg(t.entity->name, a.reason)};
    }
    return {ToolAccess::Allowed, {}};
}

const ToolDefinition *EntityToolProvider::definition(const QString &name) const
{
    if (name == QLatin1String(kAuditExport))
        return &m_auditExport;
    const EntityRegistry::Tool *t = m_registry->tool(name);
    return t ? &t->definition : nullptr;
}

void EntityToolProvider::schedule(const std::shared_ptr<Job> &job)
{
    // The next chunk after whatever else the event loop has to do: other requests go between.
    QTimer::singleShot(0, m_jobContext.get(), [this, job] { runChunk(job); });
}

QJsonObject EntityToolProvider::withCommitted(QJsonObject failure, const Job &job, int committed, const QString &why)
{
    QJsonArray content = failure.value(QLatin1String("content")).toArray();
    content.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                               {QStringLiteral("text"), QStringLiteral("%1: the first %2 of %3 records were committed "
                                                                       "in earlier chunks (operationId %4)")
                                                            .arg(why)
                                                            .arg(committed)
                                                            .arg(job.total)
                                                            .arg(job.context.operationId)}});
    failure.insert(QStringLiteral("content"), content);
    return failure;
}

QJsonObject EntityToolProvider::committedSoFar(const Job &job, int committed, const QString &code,
                                               const QString &message)
{
    return withCommitted(toolErrorResult(code, message), job, committed, code);
}

bool EntityToolProvider::holderAlive(const QString &holder, const QString &running)
{
    if (holder == m_runner)
        return !m_keyedJobs.value(running).expired();
    QString error;
    return m_store->replicaLive(holder, &error); // SQLite: another process's, gone (one node)
}

void EntityToolProvider::startJob(const EntityRegistry::Tool &tool, const ToolCall &call,
                                  std::function<void(const QJsonObject &)> done)
{
    auto job = std::make_shared<Job>();
    job->entity = tool.entity;
    job->op = tool.op;
    job->call = call;
    job->context = contextOf(call);
    job->done = std::move(done);
    const QJsonObject &args = call.arguments;
    if (tool.op == EntityRegistry::Op::UpsertMany) {
        job->models = args.value(QLatin1String("models")).toArray();
        job->total = int(job->models.size());
    } else if (tool.op == EntityRegistry::Op::DeleteMany) {
        for (const auto &v : args.value(QLatin1String("ids")).toArray())
            job->ids << v.toString();
        job->ids.removeDuplicates();
        job->total = int(job->ids.size());
    }
    job->expected = expectedVersions(args);
    if (const QString key = args.value(QLatin1String("idempotencyKey")).toString(); !key.isEmpty()) {
        QJsonObject rest = args;
        rest.remove(QStringLiteral("idempotencyKey"));
        job->idem = EntityStore::Idempotency{
            job->context.principal,
            key,
            QCryptographicHash::hash(tool.definition.name.toUtf8() + '\n' + json::compact(rest),
                                     QCryptographicHash::Sha256)
                .toHex(),
            {}};
        const QString running = job->idem->principal + QLatin1Char('\n') + key;
        QJsonObject kept;
        QString error;
        // Reserved in the database before the first chunk: a retry on any replica finds it.
        const auto reserved = m_store->reserveIdempotent(
            *job->idem, m_runner, [this, running](const QString &holder) { return holderAlive(holder, running); },
            &kept, &error);
        if (!error.isEmpty())
            return job->done(storeError(error));
        switch (reserved) {
        case EntityStore::Replay::Same:
            return job->done(kept);
        case EntityStore::Replay::Mismatch:
            return job->done(toolErrorResult(
                QStringLiteral("idempotency_key_reused"),
                QStringLiteral("idempotencyKey '%1' was already used with other arguments; use a new key").arg(key)));
        case EntityStore::Replay::InUse:
            return job->done(toolErrorResult(
                QStringLiteral("idempotency_key_in_use"),
                QStringLiteral("idempotencyKey '%1' belongs to a batch that is still running; retry once it has "
                               "finished (its answer is then replayed)")
                    .arg(key)));
        case EntityStore::Replay::None:
            break;
        }
        job->idem->holder = m_runner;
        m_keyedJobs.insert(running, job);
        auto *keyed = &m_keyedJobs;
        Job *self = job.get(); // done() runs while the job is alive; no cycle through it
        job->done = [this, self, keyed, running, done = std::move(job->done)](const QJsonObject &result) {
            keyed->remove(running);
            if (!self->settled) {
                // Ended before its last chunk's write kept the answer: cancelled, refused, or a
                // delete-many. What it committed is the answer for a retry; nothing: the key is free.
                QString error;
                if (!m_store->settleIdempotent(*self->idem, self->idem->holder,
                                               self->next > 0 ? std::optional<QJsonObject>(result) : std::nullopt,
                                               &error))
                    qCWarning(lcEntityTools).noquote() << "idempotency key not settled:" << error;
            }
            done(result);
        };
    }
    schedule(job);
}

void EntityToolProvider::startAuditExport(const ToolCall &call, std::function<void(const QJsonObject &)> done)
{
    const QString entity = call.arguments.value(QLatin1String("entity")).toString();
    if (!entity.isEmpty()) {
        const EntityDescriptor *e = m_registry->entity(entity);
        if (!e)
            return done(toolErrorResult(QStringLiteral("not_found"), QStringLiteral("no entity %1").arg(entity)));
        if (const ToolAccess a = auditExportAccess(e->name, *call.session); a.verdict != ToolAccess::Allowed)
            return done(toolErrorResult(QStringLiteral("forbidden"), a.reason));
    }
    auto job = std::make_shared<Job>();
    job->call = call;
    job->done = std::move(done);
    // A null QString would bind as NULL (and match nothing): the beginning is "".
    job->auditSince = call.arguments.value(QLatin1String("since")).toString(QStringLiteral(""));
    if (!entity.isEmpty())
        job->auditEntity = m_registry->entity(entity)->name;
    // The rows are append-only: those up to the last one now are exactly the trail as it is now.
    QString error;
    job->auditUpTo = m_store->audit().lastSeq(&error);
    if (job->auditUpTo >= 0)
        job->total = m_store->audit().count(job->auditSince, job->auditUpTo, &error);
    if (!error.isEmpty())
        return job->done(storeError(error));
    schedule(job);
}

bool EntityToolProvider::writeChunk(Job &job, int end, QJsonObject *failure)
{
    const EntityDescriptor &e = *job.entity;
    const bool last = end == job.total;
    QString error;
    EntityStore::Outcome o;
    if (job.op == EntityRegistry::Op::DeleteMany) {
        const QStringList ids = job.ids.mid(job.next, end - job.next);
        QHash<QString, qint64> expected;
        for (const QString &id : ids)
            if (job.expected.contains(id))
                expected.insert(id, job.expected.value(id));
        o = m_store->remove(e.table, e.name, ids, expected, job.context);
        if (o.ok) {
            job.deleted += o.deleted;
            job.missing += o.missing;
        }
    } else {
        QList<EntityStore::WriteItem> items;
        for (int i = job.next; i < end; ++i) {
            QJsonObject doc = job.models.at(i).toObject();
            doc.remove(QStringLiteral("version"));
            const QString where = QStringLiteral("models[%1]").arg(i);
            const QString id = doc.value(QLatin1String("id")).toString();
            auto existing = id.isEmpty() ? std::nullopt : m_store->get(e.table, id, &error);
            if (!error.isEmpty()) {
                *failure = storeError(error);
                return false;
            }
            if (existing)
                existing->remove(QStringLiteral("version"));
            Scope scope{*m_store};
            if (const QString problem = prepare(scope, e, doc, existing); !problem.isEmpty()) {
                *failure
                    = toolErrorResult(QStringLiteral("invalid_reference"), QStringLiteral("%1.%2").arg(where, problem));
                return false;
            }
            const QString finalId = doc.value(QLatin1String("id")).toString();
            if (job.seen.contains(finalId)) {
                *failure = toolErrorResult(QStringLiteral("duplicate_id"),
                                           QStringLiteral("%1.id: '%2' appears more than once").arg(where, finalId));
                return false;
            }
            job.seen.insert(finalId);
            items.append(
                {doc,
                 job.expected.contains(finalId) ? std::optional<qint64>(job.expected.value(finalId)) : std::nullopt,
                 QStringLiteral("upsert")});
        }
        const bool needsVersion = m_registry->options(e.name).requireExpectedVersion;
        // The reserved retry key is updated with every chunk (the answer so far: what is committed,
        // for a retry after a crash) and holds the whole call's answer with the last one.
        std::optional<EntityStore::Idempotency> idem;
        if (job.idem && !last) {
            idem = job.idem;
            idem->final = false;
            idem->resultOf = [&job, end](const EntityStore::Outcome &) {
                return committedSoFar(job, end, QStringLiteral("interrupted"),
                                      QStringLiteral("interrupted after %1 of %2").arg(end).arg(job.total));
            };
        }
        if (last && job.idem) {
            idem = job.idem;
            idem->final = true;
            idem->resultOf = [&job](const EntityStore::Outcome &o) {
                QJsonArray all = job.written;
                int created = job.created;
                for (qsizetype i = 0; i < o.records.size(); ++i) {
                    all.append(o.records.at(i));
                    created += o.created.at(i) ? 1 : 0;
                }
                return toolStructuredResult({{QStringLiteral("items"), all},
                                             {QStringLiteral("created"), created},
                                             {QStringLiteral("updated"), int(all.size()) - created}});
            };
        }
        o = m_store->write(e.table, e.name, items,
                           needsVersion ? EntityStore::ReplaceRule::NeedsVersion : EntityStore::ReplaceRule::Allowed,
                           job.context, idem ? &*idem : nullptr);
        job.settled = o.ok && last && idem;
        if (o.ok)
            for (qsizetype i = 0; i < o.records.size(); ++i) {
                job.written.append(o.records.at(i));
                job.created += o.created.at(i) ? 1 : 0;
            }
    }
    if (!o.ok) {
        *failure = refusal(o);
        return false;
    }
    return true;
}

void EntityToolProvider::runChunk(const std::shared_ptr<Job> &job)
{
    using Op = EntityRegistry::Op;
    const auto finishWith = [&job](const QJsonObject &result) { job->done(result); };
    const auto partial = [&job](QJsonObject failure, const QString &why) {
        // What earlier chunks committed stays: say so, with the operationId that finds it in the audit trail.
        if (job->next > 0 && (job->op == Op::UpsertMany || job->op == Op::DeleteMany))
            failure = withCommitted(failure, *job, job->next, why);
        job->done(failure);
    };
    if (job->cancelled())
        return partial(toolErrorResult(QStringLiteral("cancelled"),
                                       QStringLiteral("cancelled after %1 of %2").arg(job->next).arg(job->total)),
                       QStringLiteral("cancelled"));
    if (job->op == Op::UpsertMany || job->op == Op::DeleteMany) {
        const int end = qMin(job->next + EntityRegistry::kTaskChunk, job->total);
        QJsonObject failure;
        if (!writeChunk(*job, end, &failure))
            return partial(failure, QStringLiteral("refused"));
        job->next = end;
        job->progress(QStringLiteral("%1 of %2 records committed").arg(job->next).arg(job->total));
        if (job->next < job->total)
            return schedule(job);
        if (job->op == Op::DeleteMany)
            return finishWith(
                toolStructuredResult({{QStringLiteral("deleted"), job->deleted},
                                      {QStringLiteral("missing"), QJsonArray::fromStringList(job->missing)},
                                      {QStringLiteral("operationId"), job->context.operationId}}));
        return finishWith(toolStructuredResult({{QStringLiteral("items"), job->written},
                                                {QStringLiteral("created"), job->created},
                                                {QStringLiteral("updated"), int(job->written.size()) - job->created}}));
    }
    const auto exported = [&job](const QString &what, const QString &uri) {
        const QJsonObject resource{{QStringLiteral("uri"), uri},
                                   {QStringLiteral("mimeType"), QStringLiteral("application/jsonl")},
                                   {QStringLiteral("text"), QString::fromUtf8(job->lines)}};
        const QJsonObject structured{{QStringLiteral("entity"), what},
                                     {QStringLiteral("count"), job->count},
                                     {QStringLiteral("format"), QStringLiteral("jsonl")}};
        job->done(
            QJsonObject{{QStringLiteral("content"),
                         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                {QStringLiteral("text"),
                                                 QStringLiteral("%1 %2 lines (JSON Lines)").arg(job->count).arg(what)}},
                                    QJsonObject{{QStringLiteral("type"), QStringLiteral("resource")},
                                                {QStringLiteral("resource"), resource}}}},
                        {QStringLiteral("structuredContent"), structured}});
    };
    if (job->op == Op::Export && job->entity) {
        QString error;
        if (!job->snapshot) {
            // One snapshot for the whole export, paged by id: writes meanwhile change nothing of it.
            job->snapshot = m_store->exportSnapshot(job->entity->table, &error);
            if (!job->snapshot)
                return finishWith(storeError(error));
            job->total = job->snapshot->total();
        }
        const auto page = job->snapshot->next(EntityRegistry::kTaskChunk, &error);
        if (!page)
            return finishWith(storeError(error));
        for (const QJsonObject &doc : *page) {
            job->lines += json::compact(doc);
            job->lines += '\n';
            ++job->count;
        }
        job->next += int(page->size());
        job->progress(QStringLiteral("%1 of %2 records read").arg(job->next).arg(job->total));
        if (!page->isEmpty() && job->next < job->total)
            return schedule(job);
        job->snapshot.reset(); // the read transaction ends with the export
        return exported(job->entity->name, QStringLiteral("koan://export/%1.jsonl").arg(job->entity->name));
    }
    // audit.export: 500 rows at a time by seq, up to the last seq at the start
    QString error;
    const QList<AuditRow> rows = m_store->audit().page(job->auditSince, job->auditAfter, job->auditUpTo, 500, &error);
    if (!error.isEmpty())
        return finishWith(storeError(error));
    for (const AuditRow &row : rows) {
        job->auditAfter = row.seq;
        ++job->next;
        if (!job->auditEntity.isEmpty() && row.entity.compare(job->auditEntity, Qt::CaseInsensitive) != 0)
            continue;
        job->lines += json::compact(row.toJson());
        job->lines += '\n';
        ++job->count;
    }
    job->progress(QStringLiteral("%1 of %2 audit rows").arg(job->next).arg(job->total));
    if (!rows.isEmpty() && job->auditAfter < job->auditUpTo)
        return schedule(job);
    exported(QStringLiteral("audit"), QStringLiteral("koan://export/audit.jsonl"));
}

void EntityToolProvider::call(const ToolCall &call, std::function<void(const QJsonObject &)> done)
{
    if (call.name == QLatin1String(kAuditExport))
        return startAuditExport(call, std::move(done));
    const EntityRegistry::Tool *t = m_registry->tool(call.name);
    if (!t)
        return done(
            toolErrorResult(QStringLiteral("tool_not_found"), QStringLiteral("Unknown tool: %1").arg(call.name)));
    if (call.cancelled && call.cancelled->load())
        return done(toolErrorResult(QStringLiteral("cancelled"), QStringLiteral("The request was cancelled")));
    if (t->op == EntityRegistry::Op::DeleteAll)
        return deleteAll(*t, call, std::move(done));
    if (t->op == EntityRegistry::Op::Export
        || (call.asTask && (t->op == EntityRegistry::Op::UpsertMany || t->op == EntityRegistry::Op::DeleteMany)))
        return startJob(*t, call, std::move(done));
    runCall(specOf(*t), call.arguments, contextOf(call), std::move(done));
}

void EntityToolProvider::deleteAll(const EntityRegistry::Tool &tool, const ToolCall &call,
                                   std::function<void(const QJsonObject &)> done)
{
    const QString entity = tool.entity->name;
    const QJsonValue confirm = call.arguments.value(QLatin1String("confirm"));
    if (confirm.isString()) {
        if (confirm.toString() == entity)
            return runCall(specOf(tool), call.arguments, contextOf(call), done);
        return done(toolErrorResult(
            QStringLiteral("confirmation_mismatch"),
            QStringLiteral("confirm must be exactly \"%1\" (the entity's name) to delete every %1 record; got \"%2\". "
                           "Nothing was deleted.")
                .arg(entity, confirm.toString())));
    }
    const QString elicitation = QStringLiteral("elicitation/create");
    if (!call.input.canAsk(elicitation))
        return done(toolErrorResult(
            QStringLiteral("confirmation_required"),
            QStringLiteral("Deleting every %1 record needs a confirmation: pass confirm: \"%1\" (this client cannot "
                           "be asked: it declared no elicitation capability, or this transport cannot carry the "
                           "question). Nothing was deleted.")
                .arg(entity)));
    const QString question = QStringLiteral("Delete every %1 record? Each deleted record is kept in the audit trail, "
                                            "but the records are gone from the collection.")
                                 .arg(entity);
    const InputRequest ask{
        QStringLiteral("confirm"), elicitation,
        QJsonObject{{QStringLiteral("message"), question},
                    {QStringLiteral("requestedSchema"),
                     QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                 {QStringLiteral("properties"),
                                  QJsonObject{{QStringLiteral("confirm"),
                                               QJsonObject{{QStringLiteral("type"), QStringLiteral("boolean")},
                                                           {QStringLiteral("title"),
                                                            QStringLiteral("Delete all %1 records").arg(entity)},
                                                           {QStringLiteral("description"), question}}}}},
                                 {QStringLiteral("required"), QJsonArray{QStringLiteral("confirm")}}}}}};
    // Nothing irreversible before the answer: in 2026-07-28 this runs again on the retry.
    call.input.ask({ask}, [this, call, entity, done](const InputAnswers &answers) {
        const QJsonObject answer = answers.value(QStringLiteral("confirm"));
        const QJsonObject result = answer.value(QLatin1String("result")).toObject();
        const bool accepted
            = result.value(QLatin1String("action")).toString() == QLatin1String("accept")
              && result.value(QLatin1String("content")).toObject().value(QLatin1String("confirm")).toBool();
        if (!accepted) {
            const QString why
                = answer.contains(QLatin1String("error"))
                      ? answer.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString()
                      : QStringLiteral("the user answered %1")
                            .arg(result.value(QLatin1String("action")).toString(QStringLiteral("without confirming")));
            return done(toolErrorResult(QStringLiteral("not_confirmed"),
                                        QStringLiteral("Deleting every %1 record was not confirmed (%2). Nothing was "
                                                       "deleted.")
                                            .arg(entity, why)));
        }
        if (call.cancelled && call.cancelled->load())
            return done(toolErrorResult(QStringLiteral("cancelled"), QStringLiteral("The request was cancelled")));
        // Looked up again: the console may have changed the entity's tools while the user thought.
        const EntityRegistry::Tool *now = m_registry->tool(call.name);
        if (!now)
            return done(toolErrorResult(QStringLiteral("tool_not_found"),
                                        QStringLiteral("%1 is no longer available").arg(call.name)));
        runCall(specOf(*now), call.arguments, contextOf(call), done);
    });
}

EntityToolProvider::Spec EntityToolProvider::specOf(const EntityRegistry::Tool &tool) const
{
    return {tool.op,  tool.entity, tool.definition.name, m_registry->options(tool.entity->name).requireExpectedVersion,
            m_runner, false};
}

void EntityToolProvider::runCall(Spec spec, const QJsonObject &args, const WriteContext &context,
                                 std::function<void(const QJsonObject &)> done)
{
    if (const QString key = args.value(QLatin1String("idempotencyKey")).toString(); !key.isEmpty())
        spec.keyRunningHere = !m_keyedJobs.value(context.principal + QLatin1Char('\n') + key).expired();
    if (!m_worker)
        return done(run(*m_store, spec, args, context));
    // On the worker's thread and connection; `done` back here, or the timeout's error instead.
    const QString timedOut = m_worker->timeoutMessage();
    const int timeoutSeconds = qMax(1, m_worker->timeoutMs() / 1000);
    // A session's writes run in the order it sent them, as on one connection (they take the store's
    // one write lock in turn anyway); reads, and other sessions' writes, run beside them.
    StoreWorker::Queueing queueing;
    if (EntityRegistry::isMutation(spec.op) && !context.session.isEmpty())
        queueing.key = QStringLiteral("writes\n") + context.session;
    m_worker->run<QJsonObject>(
        queueing, m_jobContext.get(),
        [this, spec, args, context](EntityStore &store) { return run(store, spec, args, context); }, done,
        [done, timedOut, timeoutSeconds](StoreWorker::Failure failure) {
            done(failure == StoreWorker::Failure::Timeout
                     ? toolErrorResult(QStringLiteral("store_timeout"), timedOut,
                                       QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_timeout")},
                                                   {QStringLiteral("timeoutSeconds"), timeoutSeconds}})
                     : toolErrorResult(QStringLiteral("store_unavailable"),
                                       QStringLiteral("The store is not running (the server is stopping)"),
                                       QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_unavailable")}}));
        });
}

QJsonObject EntityToolProvider::run(EntityStore &store, const Spec &spec, const QJsonObject &args,
                                    const WriteContext &context) const
{
    const EntityDescriptor &e = *spec.entity;
    Scope scope{store, spec.requireExpectedVersion};
    QString error;
    // A retried create/update with the same idempotencyKey (same principal, 24 h) gets the first
    // call's answer and writes nothing again; the same key with other arguments is refused.
    std::optional<EntityStore::Idempotency> idem;
    if (const QString key = args.value(QLatin1String("idempotencyKey")).toString(); !key.isEmpty()) {
        QJsonObject rest = args;
        rest.remove(QStringLiteral("idempotencyKey"));
        idem = EntityStore::Idempotency{
            context.principal,
            key,
            QCryptographicHash::hash(spec.toolName.toUtf8() + '\n' + json::compact(rest), QCryptographicHash::Sha256)
                .toHex(),
            {}};
        QJsonObject kept;
        // Whether a pending reservation's holder still runs its batch: read on the server thread
        // for this process (spec), asked of the database for another replica.
        const auto alive = [&store, &spec](const QString &holder) {
            if (holder == spec.runner)
                return spec.keyRunningHere;
            QString ignored;
            return store.replicaLive(holder, &ignored); // SQLite: another process's, gone (one node)
        };
        switch (store.findIdempotent(*idem, &kept, &error, alive)) {
        case EntityStore::Replay::Same:
            return kept;
        case EntityStore::Replay::InUse:
            return toolErrorResult(QStringLiteral("idempotency_key_in_use"),
                                   QStringLiteral("idempotencyKey '%1' belongs to a batch that is still running; "
                                                  "retry once it has finished")
                                       .arg(key));
        case EntityStore::Replay::Mismatch:
            return toolErrorResult(
                QStringLiteral("idempotency_key_reused"),
                QStringLiteral(
                    "idempotencyKey '%1' was already used with other arguments; use a new key for a new change")
                    .arg(key));
        case EntityStore::Replay::None:
            if (!error.isEmpty())
                return storeError(error);
        }
    }
    scope.idempotency = idem ? &*idem : nullptr;
    switch (spec.op) {
    case EntityRegistry::Op::Collection:
        return collection(scope, e, args);
    case EntityRegistry::Op::GetById: {
        const QString id = args.value(QLatin1String("id")).toString();
        const auto doc = store.get(e.table, id, &error);
        if (!error.isEmpty())
            return storeError(error);
        if (!doc)
            return toolErrorResult(QStringLiteral("not_found"),
                                   QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
        return toolStructuredResult({{QStringLiteral("item"), *doc}});
    }
    case EntityRegistry::Op::History:
        return history(scope, e, args);
    case EntityRegistry::Op::Upsert: {
        QHash<QString, qint64> expected;
        const QString id = args.value(QLatin1String("model")).toObject().value(QLatin1String("id")).toString();
        if (const auto v = versionArg(args.value(QLatin1String("expectedVersion"))))
            expected.insert(id, *v);
        return upsert(scope, e, QJsonArray{args.value(QLatin1String("model"))}, false, expected, context);
    }
    case EntityRegistry::Op::UpsertMany:
        return upsert(scope, e, args.value(QLatin1String("models")).toArray(), true, expectedVersions(args), context);
    case EntityRegistry::Op::Patch:
        return patch(scope, e, args, context);
    case EntityRegistry::Op::Delete: {
        const QString id = args.value(QLatin1String("id")).toString();
        QHash<QString, qint64> expected;
        if (const auto v = versionArg(args.value(QLatin1String("expectedVersion"))))
            expected.insert(id, *v);
        const EntityStore::Outcome o = store.remove(e.table, e.name, {id}, expected, context);
        if (!o.ok)
            return refusal(o);
        if (o.deleted == 0)
            return toolErrorResult(QStringLiteral("not_found"),
                                   QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
        return toolStructuredResult({{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}});
    }
    case EntityRegistry::Op::DeleteMany: {
        QStringList ids;
        for (const auto &v : args.value(QLatin1String("ids")).toArray())
            ids << v.toString();
        ids.removeDuplicates();
        const EntityStore::Outcome o = store.remove(e.table, e.name, ids, expectedVersions(args), context);
        if (!o.ok)
            return refusal(o);
        return toolStructuredResult({{QStringLiteral("deleted"), o.deleted},
                                     {QStringLiteral("missing"), QJsonArray::fromStringList(o.missing)},
                                     {QStringLiteral("operationId"), context.operationId}});
    }
    case EntityRegistry::Op::Export:
        break; // chunked (startJob)
    case EntityRegistry::Op::DeleteAll: {
        const EntityStore::Outcome o = store.removeAll(e.table, e.name, context);
        if (!o.ok)
            return refusal(o);
        return toolStructuredResult(
            {{QStringLiteral("deleted"), o.deleted}, {QStringLiteral("operationId"), context.operationId}});
    }
    }
    return toolErrorResult(QStringLiteral("tool_not_found"), spec.toolName);
}

QJsonObject EntityToolProvider::collection(Scope &scope, const EntityDescriptor &e, const QJsonObject &args) const
{
    EntityStore::Query q;
    q.page = args.value(QLatin1String("page")).toInt(1);
    q.pageSize = args.value(QLatin1String("pageSize")).toInt(EntityRegistry::kDefaultPageSize);
    const QJsonObject filter = args.value(QLatin1String("filter")).toObject();
    for (auto it = filter.begin(); it != filter.end(); ++it)
        q.equals.append({it.key(), it.value()}); // keys validated against the schema's filter properties
    const QString sort = args.value(QLatin1String("sort")).toString();
    if (!sort.isEmpty()) {
        q.descending = sort.endsWith(QLatin1String(":desc"));
        q.sortField = q.descending ? sort.chopped(5) : sort;
        if (q.sortField == QLatin1String("id"))
            q.sortField.clear();
    }
    QString error;
    const auto page = scope.store.collection(e.table, q, &error);
    if (!page)
        return storeError(error);
    QJsonArray items;
    for (const auto &doc : page->items)
        items.append(doc);
    return toolStructuredResult({{QStringLiteral("items"), items},
                                 {QStringLiteral("page"), q.page},
                                 {QStringLiteral("pageSize"), q.pageSize},
                                 {QStringLiteral("total"), page->total},
                                 {QStringLiteral("totalPages"), (page->total + q.pageSize - 1) / q.pageSize}});
}

QJsonObject EntityToolProvider::history(Scope &scope, const EntityDescriptor &e, const QJsonObject &args) const
{
    const QString id = args.value(QLatin1String("id")).toString();
    const int page = args.value(QLatin1String("page")).toInt(1);
    const int pageSize = args.value(QLatin1String("pageSize")).toInt(EntityRegistry::kDefaultPageSize);
    int total = 0;
    QString error;
    const QList<AuditRow> rows
        = scope.store.audit().recordHistory(e.name, id, (page - 1) * pageSize, pageSize, &total, &error);
    if (!error.isEmpty())
        return storeError(error);
    if (total == 0)
        return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' has no history").arg(e.name, id));
    QJsonArray versions;
    for (const AuditRow &r : rows) {
        QJsonObject o = r.toJson();
        for (const char *k : {"entity", "id", "hash"})
            o.remove(QLatin1String(k));
        versions.append(o);
    }
    return toolStructuredResult({{QStringLiteral("id"), id},
                                 {QStringLiteral("versions"), versions},
                                 {QStringLiteral("page"), page},
                                 {QStringLiteral("pageSize"), pageSize},
                                 {QStringLiteral("total"), total}});
}

QString EntityToolProvider::prepare(Scope &scope, const EntityDescriptor &e, QJsonObject &doc,
                                    const std::optional<QJsonObject> &existing) const
{
    if (doc.value(QLatin1String("id")).toString().isEmpty())
        doc.insert(QStringLiteral("id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
    for (const auto &f : e.fields) {
        if (!doc.contains(f.name) && !f.defaultValue.isUndefined())
            doc.insert(f.name, f.defaultValue);
        if (!f.serverManaged)
            continue;
        // updatedAt always reflects this write; creation-type stamps keep their first value.
        if (f.name == QLatin1String("updatedAt"))
            doc.insert(f.name, nowIso());
        else if (existing && existing->contains(f.name))
            doc.insert(f.name, existing->value(f.name));
        else if (!doc.contains(f.name))
            doc.insert(f.name, nowIso());
    }
    for (const auto &f : e.fields) {
        const QString target = f.references.isEmpty() ? QString() : doc.value(f.name).toString();
        if (target.isEmpty())
            continue;
        const EntityDescriptor *referenced = m_registry->entity(f.references);
        if (!referenced)
            return QStringLiteral("%1: references the unknown entity %2").arg(f.name, f.references);
        QString error;
        if (!scope.store.get(referenced->table, target, &error))
            return error.isEmpty() ? QStringLiteral("%1: %2 '%3' does not exist").arg(f.name, referenced->name, target)
                                   : error;
    }
    return {};
}

QHash<QString, qint64> EntityToolProvider::expectedVersions(const QJsonObject &args)
{
    QHash<QString, qint64> expected;
    const QJsonObject map = args.value(QLatin1String("expectedVersions")).toObject();
    for (auto it = map.begin(); it != map.end(); ++it)
        if (const auto v = versionArg(it.value()))
            expected.insert(it.key(), *v);
    return expected;
}

QJsonObject EntityToolProvider::upsert(Scope &scope, const EntityDescriptor &e, const QJsonArray &models, bool many,
                                       const QHash<QString, qint64> &expected, const WriteContext &context) const
{
    QList<EntityStore::WriteItem> items;
    QSet<QString> ids;
    QString error;
    for (qsizetype i = 0; i < models.size(); ++i) {
        QJsonObject doc = models.at(i).toObject();
        doc.remove(QStringLiteral("version")); // server-assigned
        const QString where = many ? QStringLiteral("models[%1]").arg(i) : QStringLiteral("model");
        const QString id = doc.value(QLatin1String("id")).toString();
        auto existing = id.isEmpty() ? std::nullopt : scope.store.get(e.table, id, &error);
        if (!error.isEmpty())
            return storeError(error);
        if (existing)
            existing->remove(QStringLiteral("version"));
        if (const QString problem = prepare(scope, e, doc, existing); !problem.isEmpty())
            return toolErrorResult(QStringLiteral("invalid_reference"), QStringLiteral("%1.%2").arg(where, problem));
        if (ids.contains(doc.value(QLatin1String("id")).toString()))
            return toolErrorResult(QStringLiteral("duplicate_id"),
                                   QStringLiteral("%1.id: '%2' appears more than once")
                                       .arg(where, doc.value(QLatin1String("id")).toString()));
        ids.insert(doc.value(QLatin1String("id")).toString());
        const QString finalId = doc.value(QLatin1String("id")).toString();
        items.append({doc, expected.contains(finalId) ? std::optional<qint64>(expected.value(finalId)) : std::nullopt,
                      QStringLiteral("upsert")});
    }
    const auto resultOf = [many](const EntityStore::Outcome &o) {
        if (!many)
            return toolStructuredResult(
                {{QStringLiteral("item"), o.records.first()}, {QStringLiteral("created"), o.created.first()}});
        QJsonArray out;
        int createdCount = 0;
        for (qsizetype i = 0; i < o.records.size(); ++i) {
            out.append(o.records.at(i));
            createdCount += o.created.at(i) ? 1 : 0;
        }
        return toolStructuredResult({{QStringLiteral("items"), out},
                                     {QStringLiteral("created"), createdCount},
                                     {QStringLiteral("updated"), int(o.records.size()) - createdCount}});
    };
    const EntityStore::Outcome o = scope.store.write(
        e.table, e.name, items,
        scope.requireExpectedVersion ? EntityStore::ReplaceRule::NeedsVersion : EntityStore::ReplaceRule::Allowed,
        context, withResult(scope, resultOf));
    return o.ok ? resultOf(o) : refusal(o);
}

const EntityStore::Idempotency *
EntityToolProvider::withResult(Scope &scope, std::function<QJsonObject(const EntityStore::Outcome &)> resultOf)
{
    if (!scope.idempotency)
        return nullptr;
    scope.idempotency->resultOf = std::move(resultOf);
    return scope.idempotency;
}

QJsonObject EntityToolProvider::patch(Scope &scope, const EntityDescriptor &e, const QJsonObject &args,
                                      const WriteContext &context) const
{
    const QString id = args.value(QLatin1String("id")).toString();
    QString error;
    auto existing = scope.store.get(e.table, id, &error);
    if (!error.isEmpty())
        return storeError(error);
    if (!existing)
        return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
    // Applied to the version read here; without expectedVersion that is the current one, and the
    // store's check still refuses it if another writer got in between.
    const qint64 readVersion = existing->value(QLatin1String("version")).toInteger();
    const std::optional<qint64> expected = versionArg(args.value(QLatin1String("expectedVersion")));
    if (expected && *expected != readVersion) {
        EntityStore::Outcome conflict;
        conflict.code = QStringLiteral("version_conflict");
        conflict.id = id;
        conflict.expectedVersion = *expected;
        conflict.currentVersion = readVersion;
        conflict.message = QStringLiteral("'%1' is at version %2, not the expected %3; nothing was written")
                               .arg(id)
                               .arg(readVersion)
                               .arg(*expected);
        return refusal(conflict);
    }
    existing->remove(QStringLiteral("version"));
    auto patched = jsonpatch::apply(*existing, args.value(QLatin1String("patch")).toArray(), &error);
    if (!patched)
        return toolErrorResult(QStringLiteral("invalid_patch"), error);
    patched->remove(QStringLiteral("version")); // a patch cannot set the server's version
    if (patched->value(QLatin1String("id")).toString() != id)
        return toolErrorResult(QStringLiteral("invalid_patch"), QStringLiteral("the id of a record cannot be changed"));
    const QStringList problems
        = protocol::JsonSchemaValidator::validate(*patched, e.recordSchema(false), QStringLiteral("record"));
    if (!problems.isEmpty())
        return toolErrorResult(
            QStringLiteral("invalid_patch"),
            QStringLiteral("the patched record is invalid: %1").arg(problems.join(QLatin1String("; "))),
            QJsonArray::fromStringList(problems));
    if (const QString problem = prepare(scope, e, *patched, existing); !problem.isEmpty())
        return toolErrorResult(QStringLiteral("invalid_reference"), problem);
    const auto resultOf = [](const EntityStore::Outcome &o) {
        return toolStructuredResult({{QStringLiteral("item"), o.records.first()}});
    };
    const EntityStore::Outcome o
        = scope.store.write(e.table, e.name, {{*patched, readVersion, QStringLiteral("patch")}},
                            EntityStore::ReplaceRule::Allowed, context, withResult(scope, resultOf));
    return o.ok ? resultOf(o) : refusal(o);
}

bool EntityToolProvider::prepareStore(bool seed, QString *error)
{
    for (const auto &e : m_registry->entities()) {
        QStringList indexed; // what collection filters and sorts on
        for (const FieldDescriptor &f : e.fields)
            if (f.filterable())
                indexed << f.name;
        if (!m_store->ensureTable(e.table, e.name, e.renamedFields, indexed, error))
            return false;
    }
    if (!seed || m_seedResource.isEmpty() || !m_store->meta(QStringLiteral("seeded")).isEmpty())
        return true;
    QFile f(m_seedResource);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("seed data resource is missing");
        return false;
    }
    const QJsonObject seedDoc = QJsonDocument::fromJson(f.readAll()).object();
    // In catalog order, referenced entities first, so that references resolve. Seeding never
    // overwrites a record that already exists (a user's record with a sample id stays as it is).
    const WriteContext seeding{QStringLiteral("system:seed"),
                               QStringLiteral("system"),
                               {},
                               {},
                               {},
                               QUuid::createUuid().toString(QUuid::WithoutBraces)};
    for (const auto &e : m_registry->entities()) {
        // Replicas starting together on one PostgreSQL database seed at the same time: a sample
        // record another one wrote meanwhile refuses the batch (version_required); look again
        // without it.
        QJsonObject result;
        for (int attempt = 0; attempt < 5; ++attempt) {
            QJsonArray models;
            for (const QJsonValue &m : seedDoc.value(e.name).toArray()) {
                QString lookupError;
                if (!m_store->get(e.table, m.toObject().value(QLatin1String("id")).toString(), &lookupError)
                    && lookupError.isEmpty())
                    models.append(m);
            }
            if (models.isEmpty()) {
                result = {};
                break;
            }
            Scope scope{*m_store, m_registry->options(e.name).requireExpectedVersion};
            result = upsert(scope, e, models, true, {}, seeding);
            const QString code = result.value(QLatin1String("structuredContent"))
                                     .toObject()
                                     .value(QLatin1String("error"))
                                     .toObject()
                                     .value(QLatin1String("code"))
                                     .toString();
            if (!result.value(QLatin1String("isError")).toBool()
                || (code != QLatin1String("version_required") && code != QLatin1String("version_conflict")))
                break;
        }
        if (result.value(QLatin1String("isError")).toBool()) {
            *error = QStringLiteral("seeding %1 failed: %2")
                         .arg(e.name, result.value(QLatin1String("content"))
                                          .toArray()
                                          .first()
                                          .toObject()
                                          .value(QLatin1String("text"))
                                          .toString());
            return false;
        }
    }
    return m_store->setMeta(QStringLiteral("seeded"), nowIso(), error);
}

} // namespace koan
