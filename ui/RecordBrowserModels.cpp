#include "RecordBrowserModels.h"

#include "PaletteColors.h"

#include "protocol/JsonPatch.h"

#include <QColor>
#include <QDateTime>
#include <QJsonDocument>
#include <algorithm>

namespace koan::ui {

namespace {
std::optional<qint64> optionalInt(const QJsonValue &v)
{
    if (v.isDouble())
        return qint64(v.toDouble());
    return std::nullopt;
}

// Compact JSON for any value, scalars included ("Boston", 12, true).
QString compact(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    const QString wrapped = QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact));
    return wrapped.mid(1, wrapped.size() - 2);
}

// RFC 6901 lookup; nullopt when the pointer names nothing in `doc`.
std::optional<QJsonValue> lookup(const QJsonObject &doc, const QString &pointer)
{
    QJsonValue at = doc;
    if (pointer.isEmpty())
        return at;
    const QStringList tokens = pointer.mid(1).split(QLatin1Char('/'));
    for (QString t : tokens) {
        t.replace(QLatin1String("~1"), QLatin1String("/")).replace(QLatin1String("~0"), QLatin1String("~"));
        if (at.isObject()) {
            const QJsonObject o = at.toObject();
            if (!o.contains(t))
                return std::nullopt;
            at = o.value(t);
        } else if (at.isArray()) {
            bool ok = false;
            const int i = t.toInt(&ok);
            const QJsonArray a = at.toArray();
            if (!ok || i < 0 || i >= a.size())
                return std::nullopt;
            at = a.at(i);
        } else {
            return std::nullopt;
        }
    }
    return at;
}
} // namespace

RecordsModel::RecordsModel(QObject *parent) : QAbstractTableModel(parent) { }

void RecordsModel::setRecords(const QList<RecordRow> &rows, const QString &textField)
{
    beginResetModel();
    m_rows = rows;
    m_textField = textField;
    endResetModel();
    emit headerDataChanged(Qt::Horizontal, Text, Text);
}

int RecordsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int RecordsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecordsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const RecordRow &r = m_rows.at(index.row());
    switch (index.column()) {
    case Id:
        return r.id;
    case Text:
        return r.text;
    case Version:
        return r.version;
    default:
        return {};
    }
}

QVariant RecordsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return tr("Id");
    case Text:
        return m_textField.isEmpty() ? tr("Text") : m_textField;
    case Version:
        return tr("Version");
    default:
        return {};
    }
}

RecordVersionsModel::RecordVersionsModel(QObject *parent) : QAbstractTableModel(parent) { }

void RecordVersionsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void RecordVersionsModel::setVersions(const QJsonArray &versions)
{
    QList<RecordVersion> rows;
    for (const QJsonValue &v : versions) {
        const QJsonObject o = v.toObject();
        RecordVersion r;
        r.seq = qint64(o.value(QLatin1String("seq")).toDouble());
        r.at = o.value(QLatin1String("at")).toVariant().toString();
        r.operation = o.value(QLatin1String("operation")).toString();
        r.principal = o.value(QLatin1String("principal")).toString();
        r.transport = o.value(QLatin1String("transport")).toString();
        r.versionBefore = optionalInt(o.value(QLatin1String("versionBefore")));
        r.versionAfter = optionalInt(o.value(QLatin1String("versionAfter")));
        r.change = o.value(QLatin1String("change"));
        rows << r;
    }
    std::sort(rows.begin(), rows.end(), [](const RecordVersion &a, const RecordVersion &b) { return a.seq < b.seq; });
    // Replay: the create/migrated "add" at "" is the whole document, every later change a patch
    // on the one before; a delete keeps the last document.
    QJsonObject doc;
    for (RecordVersion &r : rows) {
        if (r.change.isObject() && r.change.toObject().contains(QLatin1String("deleted"))) {
            r.deleted = true;
            const QJsonValue last = r.change.toObject().value(QLatin1String("deleted"));
            if (last.isObject())
                doc = last.toObject();
            r.document = doc;
            doc = {};
            continue;
        }
        const QJsonArray ops = r.change.toArray();
        if (ops.size() == 1 && ops.first().toObject().value(QLatin1String("path")).toString().isEmpty()
            && ops.first().toObject().value(QLatin1String("value")).isObject()) {
            doc = ops.first().toObject().value(QLatin1String("value")).toObject();
        } else {
            QString error;
            if (const auto next = jsonpatch::apply(doc, ops, &error))
                doc = *next;
            else
                r.problem = error;
        }
        // The server's version is not part of the recorded change: it is the version after it.
        if (r.versionAfter)
            doc.insert(QStringLiteral("version"), double(*r.versionAfter));
        r.document = doc;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

QString RecordVersionsModel::label(int row) const
{
    const RecordVersion &r = m_rows.at(row);
    if (r.deleted)
        return r.versionBefore ? tr("deleted (v%1)").arg(*r.versionBefore) : tr("deleted");
    return r.versionAfter ? tr("v%1").arg(*r.versionAfter) : QStringLiteral("#%1").arg(r.seq);
}

int RecordVersionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int RecordVersionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecordVersionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const RecordVersion &r = m_rows.at(index.row());
    if (role == Qt::ToolTipRole && !r.problem.isEmpty())
        return tr("This change could not be replayed: %1").arg(r.problem);
    if (role == Qt::ForegroundRole && (r.deleted || !r.problem.isEmpty()))
        return errorText();
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Version:
        return label(index.row());
    case At: {
        const QDateTime t = QDateTime::fromString(r.at, Qt::ISODateWithMs);
        return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : r.at;
    }
    case Operation:
        return r.operation;
    case Principal:
        return r.principal;
    case Transport:
        return r.transport;
    default:
        return {};
    }
}

QVariant RecordVersionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Version:
        return tr("Version");
    case At:
        return tr("When");
    case Operation:
        return tr("Operation");
    case Principal:
        return tr("Who");
    case Transport:
        return tr("Transport");
    default:
        return {};
    }
}

QString describeDiff(const RecordVersion &from, const QString &fromLabel, const RecordVersion &to,
                     const QString &toLabel)
{
    const QJsonObject a = from.deleted ? QJsonObject{} : from.document;
    const QJsonObject b = to.deleted ? QJsonObject{} : to.document;
    const QJsonArray ops = jsonpatch::diff(a, b);
    QStringList lines;
    lines << RecordVersionsModel::tr("From %1 to %2:").arg(fromLabel, toLabel);
    if (ops.isEmpty())
        lines << RecordVersionsModel::tr("No differences.");
    for (const QJsonValue &v : ops) {
        const QJsonObject op = v.toObject();
        const QString kind = op.value(QLatin1String("op")).toString();
        const QString path = op.value(QLatin1String("path")).toString();
        const auto before = lookup(a, path);
        if (kind == QLatin1String("replace"))
            lines << QStringLiteral("replace %1: %2 → %3")
                         .arg(path, before ? compact(*before) : QStringLiteral("?"),
                              compact(op.value(QLatin1String("value"))));
        else if (kind == QLatin1String("add"))
            lines << QStringLiteral("add %1: %2").arg(path, compact(op.value(QLatin1String("value"))));
        else if (kind == QLatin1String("remove"))
            lines << QStringLiteral("remove %1 (%2)").arg(path, before ? compact(*before) : QString());
        else
            lines << compact(op);
    }
    lines << QString() << RecordVersionsModel::tr("JSON Patch:")
          << QString::fromUtf8(QJsonDocument(ops).toJson(QJsonDocument::Indented)).trimmed();
    return lines.join(QLatin1Char('\n'));
}

} // namespace koan::ui
