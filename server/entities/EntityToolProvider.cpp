#include "EntityToolProvider.h"

#include "protocol/JsonPatch.h"
#include "protocol/JsonRpc.h"
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
    // A keyed batch: frees the key here and settles its reservation (null: a chunk got no answer).
    std::function<void(const QJsonObject *result)> release;
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

// What one chunk did on the worker, added to its job on the server thread.
struct EntityToolProvider::Chunk {
    bool ok = true;
    QJsonObject failure;
    bool settled = false;
    // upsert-many / delete-many
    QJsonArray written;
    int created = 0;
    int deleted = 0;
    QStringList missing;
    QSet<QString> seen;
    // exports
    QByteArray lines;
    int count = 0; // lines
    int read = 0;  // records or audit rows read
    int total = 0; // {entity}.export: records in the snapshot
    qint64 auditAfter = 0;
    bool end = false;

    Chunk failWith(QJsonObject why)
    {
        ok = false;
        failure = std::move(why);
        return *this;
    }
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

QJsonObject EntityToolProvider::unanswered(StoreWorker::Failure failure) const
{
    if (failure == StoreWorker::Failure::Timeout)
        return toolErrorResult(QStringLiteral("store_timeout"), m_worker->timeoutMessage(),
                               QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_timeout")},
                                           {QStringLiteral("timeoutSeconds"), qMax(1, m_worker->timeoutMs() / 1000)}});
    return toolErrorResult(QStringLiteral("store_unavailable"),
                           QStringLiteral("The store is not running (the server is stopping)"),
                           QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_unavailable")}});
}

template<class T>
void EntityToolProvider::onStore(const QString &order, std::function<T(EntityStore &)> work,
                                 std::function<void(T)> done, std::function<void(StoreWorker::Failure)> failed)
{
    if (!m_worker)
        return done(work(*m_store)); // an in-memory SQLite database: its one connection is here
    m_worker->run<T>(StoreWorker::Queueing{order}, m_jobContext.get(), std::move(work), std::move(done),
                     std::move(failed));
}

QString EntityToolProvider::orderOf(const Job &job)
{
    // One job's store calls run one at a time, in order (its snapshot, its chunks, its key's settle).
    return QStringLiteral("job\n") + job.context.operationId;
}

void EntityToolProvider::endJob(const std::shared_ptr<Job> &job, const QJsonObject &result)
{
    if (job->release)
        std::exchange(job->release, {})(&result);
    releaseSnapshot(job);
    std::exchange(job->done, {})(result);
    job->call = ToolCall{}; // the job may end on the worker's thread: only plain data is left there
}

void EntityToolProvider::releaseSnapshot(const std::shared_ptr<Job> &job)
{
    if (!m_worker) {
        job->snapshot.reset();
        return;
    }
    // Its connection belongs to the worker's thread: closed there, after any chunk still on it.
    m_worker->run<bool>(
        StoreWorker::Queueing{orderOf(*job)}, m_jobContext.get(),
        [job](EntityStore &) {
            job->snapshot.reset();
            return true;
        },
        [](bool) {}, [](StoreWorker::Failure) {});
}

void EntityToolProvider::settleAbandoned(const QString &order, const EntityStore::Idempotency &idem, int attempt)
{
    // Its batch ended without knowing whether its last chunk committed: the reservation's answer,
    // updated in each chunk's transaction, is what was committed. Settled as for a holder that is
    // gone (after that chunk: the worker runs calls in order); tried again while the store is away.
    const QString runner = idem.holder;
    onStore<QString>(
        order,
        [idem, runner](EntityStore &store) {
            QJsonObject kept;
            QString error;
            store.findIdempotent(idem, &kept, &error, [runner](const QString &holder) { return holder != runner; });
            return error;
        },
        [](QString error) {
            if (!error.isEmpty())
                qCWarning(lcEntityTools).noquote() << "idempotency key not settled:" << error;
        },
        [this, order, idem, attempt](StoreWorker::Failure failure) {
            if (failure == StoreWorker::Failure::Timeout && attempt < 100)
                QTimer::singleShot(1000, m_jobContext.get(),
                                   [this, order, idem, attempt] { settleAbandoned(order, idem, attempt + 1); });
        });
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
    const QString key = args.value(QLatin1String("idempotencyKey")).toString();
    // The first chunk now: on the worker it is queued before anything the client sends after
    // this call's answer (an export's snapshot is older than the client's next write).
    if (key.isEmpty())
        return runChunk(job);
    QJsonObject rest = args;
    rest.remove(QStringLiteral("idempotencyKey"));
    job->idem = EntityStore::Idempotency{
        job->context.principal,
        key,
        QCryptographicHash::hash(tool.definition.name.toUtf8() + '\n' + json::compact(rest), QCryptographicHash::Sha256)
            .toHex(),
        {}};
    job->idem->holder = m_runner;
    const QString running = job->idem->principal + QLatin1Char('\n') + key;
    // Whether a batch of this process holds the key now, read here; then this one holds it, so a
    // second one started meanwhile sees it as running.
    const bool runningHere = !m_keyedJobs.value(running).expired();
    m_keyedJobs.insert(running, job);
    const auto unkeyed = [this, running, self = job.get()] {
        if (m_keyedJobs.value(running).lock().get() == self)
            m_keyedJobs.remove(running);
    };
    struct Reserved {
        EntityStore::Replay replay = EntityStore::Replay::None;
        QJsonObject kept;
        QString error;
    };
    // Reserved in the database before the first chunk: a retry on any replica finds it.
    onStore<Reserved>(
        orderOf(*job),
        [idem = *job->idem, runner = m_runner, runningHere](EntityStore &store) {
            Reserved r;
            const auto alive = [&store, &runner, runningHere](const QString &holder) {
                if (holder == runner)
                    return runningHere;
                QString ignored;
                return store.replicaLive(holder, &ignored); // SQLite: another process's, gone (one node)
            };
            r.replay = store.reserveIdempotent(idem, runner, alive, &r.kept, &r.error);
            return r;
        },
        [this, job, key, unkeyed](Reserved r) {
            if (!r.error.isEmpty() || r.replay != EntityStore::Replay::None)
                unkeyed();
            if (!r.error.isEmpty())
                return job->done(storeError(r.error));
            switch (r.replay) {
            case EntityStore::Replay::Same:
                return job->done(r.kept);
            case EntityStore::Replay::Mismatch:
                return job->done(toolErrorResult(
                    QStringLiteral("idempotency_key_reused"),
                    QStringLiteral("idempotencyKey '%1' was already used with other arguments; use a new key")
                        .arg(key)));
            case EntityStore::Replay::InUse:
                return job->done(toolErrorResult(
                    QStringLiteral("idempotency_key_in_use"),
                    QStringLiteral("idempotencyKey '%1' belongs to a batch that is still running; retry once it has "
                                   "finished (its answer is then replayed)")
                        .arg(key)));
            case EntityStore::Replay::None:
                break;
            }
            Job *self = job.get(); // release() runs while the job is alive; no cycle through it
            job->release = [this, self, unkeyed](const QJsonObject *result) {
                unkeyed();
                if (!result)
                    return settleAbandoned(orderOf(*self), *self->idem, 0);
                if (self->settled)
                    return;
                // Ended before its last chunk's write kept the answer: cancelled, refused, or a
                // delete-many. What it committed is the answer for a retry; nothing: the key is free.
                const auto answer = self->next > 0 ? std::optional<QJsonObject>(*result) : std::nullopt;
                onStore<QString>(
                    orderOf(*self),
                    [idem = *self->idem, answer](EntityStore &store) {
                        QString error;
                        store.settleIdempotent(idem, idem.holder, answer, &error);
                        return error;
                    },
                    [](QString error) {
                        if (!error.isEmpty())
                            qCWarning(lcEntityTools).noquote() << "idempotency key not settled:" << error;
                    },
                    [this, order = orderOf(*self), idem = *self->idem](StoreWorker::Failure) {
                        settleAbandoned(order, idem, 0);
                    });
            };
            schedule(job);
        },
        [this, job, unkeyed](StoreWorker::Failure failure) {
            // The reservation may commit late: its holder is then this process, with nothing
            // committed, and a retry takes the key over.
            unkeyed();
            job->done(unanswered(failure));
        });
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
    job->context = contextOf(call); // its operationId orders its store calls
    job->done = std::move(done);
    // A null QString would bind as NULL (and match nothing): the beginning is "".
    job->auditSince = call.arguments.value(QLatin1String("since")).toString(QStringLiteral(""));
    if (!entity.isEmpty())
        job->auditEntity = m_registry->entity(entity)->name;
    struct Extent {
        qint64 upTo = -1;
        int total = 0;
        QString error;
    };
    onStore<Extent>(
        orderOf(*job),
        [since = job->auditSince](EntityStore &store) {
            // The rows are append-only: those up to the last one now are exactly the trail as it is now.
            Extent x;
            x.upTo = store.audit().lastSeq(&x.error);
            if (x.upTo >= 0)
                x.total = store.audit().count(since, x.upTo, &x.error);
            return x;
        },
        [this, job](Extent x) {
            if (!x.error.isEmpty())
                return job->done(storeError(x.error));
            job->auditUpTo = x.upTo;
            job->total = x.total;
            schedule(job);
        },
        [this, job](StoreWorker::Failure failure) { job->done(unanswered(failure)); });
}

EntityToolProvider::Chunk EntityToolProvider::writeChunk(EntityStore &store, const Job &job, int end,
                                                         bool needsVersion) const
{
    // On the worker's thread: reads the job (nothing else touches it while its chunk runs) and
    // answers with what the server thread then adds to it.
    const EntityDescriptor &e = *job.entity;
    const bool last = end == job.total;
    Chunk c;
    QString error;
    EntityStore::Outcome o;
    if (job.op == EntityRegistry::Op::DeleteMany) {
        const QStringList ids = job.ids.mid(job.next, end - job.next);
        QHash<QString, qint64> expected;
        for (const QString &id : ids)
            if (job.expected.contains(id))
                expected.insert(id, job.expected.value(id));
        o = store.remove(e.table, e.name, ids, expected, job.context);
        if (o.ok) {
            c.deleted = o.deleted;
            c.missing = o.missing;
        }
    } else {
        QList<EntityStore::WriteItem> items;
        QSet<QString> seen;
        for (int i = job.next; i < end; ++i) {
            QJsonObject doc = job.models.at(i).toObject();
            doc.remove(QStringLiteral("version"));
            const QString where = QStringLiteral("models[%1]").arg(i);
            const QString id = doc.value(QLatin1String("id")).toString();
            auto existing = id.isEmpty() ? std::nullopt : store.get(e.table, id, &error);
            if (!error.isEmpty())
                return c.failWith(storeError(error));
            if (existing)
                existing->remove(QStringLiteral("version"));
            Scope scope{store};
            if (const QString problem = prepare(scope, e, doc, existing); !problem.isEmpty())
                return c.failWith(
                    toolErrorResult(QStringLiteral("invalid_reference"), QStringLiteral("%1.%2").arg(where, problem)));
            const QString finalId = doc.value(QLatin1String("id")).toString();
            if (job.seen.contains(finalId) || seen.contains(finalId))
                return c.failWith(
                    toolErrorResult(QStringLiteral("duplicate_id"),
                                    QStringLiteral("%1.id: '%2' appears more than once").arg(where, finalId)));
            seen.insert(finalId);
            items.append(
                {doc,
                 job.expected.contains(finalId) ? std::optional<qint64>(job.expected.value(finalId)) : std::nullopt,
                 QStringLiteral("upsert")});
        }
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
        o = store.write(e.table, e.name, items,
                        needsVersion ? EntityStore::ReplaceRule::NeedsVersion : EntityStore::ReplaceRule::Allowed,
                        job.context, idem ? &*idem : nullptr);
        c.settled = o.ok && last && idem;
        if (o.ok) {
            c.seen = seen;
            for (qsizetype i = 0; i < o.records.size(); ++i) {
                c.written.append(o.records.at(i));
                c.created += o.created.at(i) ? 1 : 0;
            }
        }
    }
    if (!o.ok)
        return c.failWith(refusal(o));
    return c;
}

EntityToolProvider::Chunk EntityToolProvider::readChunk(EntityStore &store, Job &job)
{
    // On the worker's thread: the job's snapshot is the worker's (opened, read and closed there).
    Chunk c;
    QString error;
    if (job.entity) {
        if (!job.snapshot) {
            // One snapshot for the whole export, paged by id: writes meanwhile change nothing of it.
            job.snapshot = store.exportSnapshot(job.entity->table, &error);
            if (!job.snapshot)
                return c.failWith(storeError(error));
        }
        c.total = job.snapshot->total();
        const auto page = job.snapshot->next(EntityRegistry::kTaskChunk, &error);
        if (!page) {
            job.snapshot.reset();
            return c.failWith(storeError(error));
        }
        for (const QJsonObject &doc : *page) {
            c.lines += json::compact(doc);
            c.lines += '\n';
            ++c.count;
        }
        c.read = int(page->size());
        c.end = page->isEmpty() || job.next + c.read >= c.total;
        if (c.end)
            job.snapshot.reset(); // the read transaction ends with the export
        return c;
    }
    // audit.export: 500 rows at a time by seq, up to the last seq at the start
    const QList<AuditRow> rows = store.audit().page(job.auditSince, job.auditAfter, job.auditUpTo, 500, &error);
    if (!error.isEmpty())
        return c.failWith(storeError(error));
    c.auditAfter = job.auditAfter;
    for (const AuditRow &row : rows) {
        c.auditAfter = row.seq;
        ++c.read;
        if (!job.auditEntity.isEmpty() && row.entity.compare(job.auditEntity, Qt::CaseInsensitive) != 0)
            continue;
        c.lines += json::compact(row.toJson());
        c.lines += '\n';
        ++c.count;
    }
    c.end = rows.isEmpty() || c.auditAfter >= job.auditUpTo;
    return c;
}

void EntityToolProvider::chunkTimedOut(const std::shared_ptr<Job> &job, StoreWorker::Failure failure)
{
    // Decided: no retry of the chunk (it may have committed once the database answers, and a
    // second write would apply it twice); the call ends now, saying what is known.
    using Op = EntityRegistry::Op;
    const bool batch = job->op == Op::UpsertMany || job->op == Op::DeleteMany;
    const int end = qMin(job->next + EntityRegistry::kTaskChunk, job->total);
    const QString why = failure == StoreWorker::Failure::Timeout
                            ? m_worker->noAnswer()
                            : QStringLiteral("the store is not running (the server is stopping)");
    QString message;
    if (batch) {
        message = QStringLiteral("%1 while records %2-%3 of %4 were written: they may or may not have been "
                                 "committed (their audit rows carry operationId %5); the first %6 were committed "
                                 "in earlier chunks")
                      .arg(why)
                      .arg(job->next + 1)
                      .arg(end)
                      .arg(job->total)
                      .arg(job->context.operationId)
                      .arg(job->next);
        if (job->idem)
            message += QStringLiteral("; a retry with the same idempotencyKey answers what was committed and writes "
                                      "nothing again");
    } else {
        message = QStringLiteral("%1 after %2 of %3 %4 were read; nothing was changed, run the export again")
                      .arg(why)
                      .arg(job->next)
                      .arg(job->total)
                      .arg(job->entity ? QStringLiteral("records") : QStringLiteral("audit rows"));
    }
    const QString reason = failure == StoreWorker::Failure::Timeout ? QStringLiteral("store_timeout")
                                                                    : QStringLiteral("store_unavailable");
    QJsonObject data{{QStringLiteral("reason"), reason},
                     {QStringLiteral("timeoutSeconds"), qMax(1, m_worker->timeoutMs() / 1000)}};
    if (batch) {
        data.insert(QStringLiteral("committed"), job->next);
        data.insert(QStringLiteral("operationId"), job->context.operationId);
    }
    if (job->release)
        std::exchange(job->release, {})(nullptr);
    releaseSnapshot(job);
    // A task ends failed with this as its status message; a plain call gets a tool error.
    const auto fail = job->call.asTask ? std::exchange(job->call.fail, {}) : nullptr;
    const auto done = std::exchange(job->done, {});
    job->call = ToolCall{}; // the job may end on the worker's thread: only plain data is left there
    if (fail)
        return fail(ToolFailure{jsonrpc::InternalError, message, data});
    done(toolErrorResult(reason, message, data));
}

void EntityToolProvider::runChunk(const std::shared_ptr<Job> &job)
{
    using Op = EntityRegistry::Op;
    const auto partial = [this, job](QJsonObject failure, const QString &why) {
        // What earlier chunks committed stays: say so, with the operationId that finds it in the audit trail.
        if (job->next > 0 && (job->op == Op::UpsertMany || job->op == Op::DeleteMany))
            failure = withCommitted(failure, *job, job->next, why);
        endJob(job, failure);
    };
    if (job->cancelled())
        return partial(toolErrorResult(QStringLiteral("cancelled"),
                                       QStringLiteral("cancelled after %1 of %2").arg(job->next).arg(job->total)),
                       QStringLiteral("cancelled"));
    const auto timedOut = [this, job](StoreWorker::Failure failure) { chunkTimedOut(job, failure); };
    if (job->op == Op::UpsertMany || job->op == Op::DeleteMany) {
        const int end = qMin(job->next + EntityRegistry::kTaskChunk, job->total);
        const bool needsVersion = m_registry->options(job->entity->name).requireExpectedVersion;
        return onStore<Chunk>(
            orderOf(*job),
            [this, job, end, needsVersion](EntityStore &store) { return writeChunk(store, *job, end, needsVersion); },
            [this, job, end, partial](Chunk c) {
                if (!c.ok)
                    return partial(c.failure, QStringLiteral("refused"));
                job->settled = c.settled;
                for (const QJsonValue &v : std::as_const(c.written))
                    job->written.append(v);
                job->created += c.created;
                job->deleted += c.deleted;
                job->missing += c.missing;
                job->seen.unite(c.seen);
                job->next = end;
                job->progress(QStringLiteral("%1 of %2 records committed").arg(job->next).arg(job->total));
                if (job->next < job->total)
                    return schedule(job);
                if (job->op == Op::DeleteMany)
                    return endJob(job, toolStructuredResult(
                                           {{QStringLiteral("deleted"), job->deleted},
                                            {QStringLiteral("missing"), QJsonArray::fromStringList(job->missing)},
                                            {QStringLiteral("operationId"), job->context.operationId}}));
                endJob(job,
                       toolStructuredResult({{QStringLiteral("items"), job->written},
                                             {QStringLiteral("created"), job->created},
                                             {QStringLiteral("updated"), int(job->written.size()) - job->created}}));
            },
            timedOut);
    }
    onStore<Chunk>(
        orderOf(*job), [job](EntityStore &store) { return readChunk(store, *job); },
        [this, job](Chunk c) {
            if (!c.ok)
                return endJob(job, c.failure);
            job->lines += c.lines;
            job->count += c.count;
            job->next += c.read;
            if (job->entity) {
                job->total = c.total;
                job->progress(QStringLiteral("%1 of %2 records read").arg(job->next).arg(job->total));
            } else {
                job->auditAfter = c.auditAfter;
                job->progress(QStringLiteral("%1 of %2 audit rows").arg(job->next).arg(job->total));
            }
            if (!c.end)
                return schedule(job);
            const QString what = job->entity ? job->entity->name : QStringLiteral("audit");
            const QJsonObject resource{{QStringLiteral("uri"), QStringLiteral("koan://export/%1.jsonl").arg(what)},
                                       {QStringLiteral("mimeType"), QStringLiteral("application/jsonl")},
                                       {QStringLiteral("text"), QString::fromUtf8(job->lines)}};
            const QJsonObject structured{{QStringLiteral("entity"), what},
                                         {QStringLiteral("count"), job->count},
                                         {QStringLiteral("format"), QStringLiteral("jsonl")}};
            endJob(job,
                   QJsonObject{
                       {QStringLiteral("content"),
                        QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                               {QStringLiteral("text"),
                                                QStringLiteral("%1 %2 lines (JSON Lines)").arg(job->count).arg(what)}},
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("resource")},
                                               {QStringLiteral("resource"), resource}}}},
                       {QStringLiteral("structuredContent"), structured}});
        },
        timedOut);
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
    // A session's writes run in the order it sent them, as on one connection (they take the store's
    // one write lock in turn anyway); reads, and other sessions' writes, run beside them.
    StoreWorker::Queueing queueing;
    if (EntityRegistry::isMutation(spec.op) && !context.session.isEmpty())
        queueing.key = QStringLiteral("writes\n") + context.session;
    m_worker->run<QJsonObject>(
        queueing, m_jobContext.get(),
        [this, spec, args, context](EntityStore &store) { return run(store, spec, args, context); }, done,
        [this, done](StoreWorker::Failure failure) { done(unanswered(failure)); });
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
