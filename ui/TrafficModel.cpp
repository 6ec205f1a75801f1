#include "TrafficModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPalette>

namespace koan::ui {

TrafficModel::TrafficModel(int capacity, QObject *parent) : QAbstractTableModel(parent), m_capacity(qMax(1, capacity))
{ }

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_frames.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TrafficModel::summary(const QJsonObject &f)
{
    const QString kind = f.value(QLatin1String("kind")).toString();
    if (kind == QLatin1String("http-request"))
        return f.value(QLatin1String("method")).toString() + QLatin1Char(' ')
               + f.value(QLatin1String("path")).toString();
    if (kind == QLatin1String("http-response")) {
        QString type;
        for (const QJsonValue &h : f.value(QLatin1String("headers")).toArray())
            if (h.toArray().at(0).toString().compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0)
                type = h.toArray().at(1).toString();
        QString out = QString::number(f.value(QLatin1String("status")).toInt());
        if (!type.isEmpty())
            out += QStringLiteral(" · ") + type;
        if (f.value(QLatin1String("stream")).toBool())
            out += QStringLiteral(" · ") + tr("stream opened");
        return out;
    }
    const QString body = f.value(QLatin1String("body")).toString();
    if (kind == QLatin1String("keep-alive"))
        return body.trimmed();
    QString out = f.value(QLatin1String("event")).toString();
    out = out.isEmpty() ? tr("(no event name)") : QStringLiteral("event: ") + out;
    if (const QString id = f.value(QLatin1String("eventId")).toString(); !id.isEmpty())
        out += QStringLiteral(" · id ") + id;
    for (const QString &line : body.split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("data:")) && line.size() > 6) {
            out += QStringLiteral(" · ") + line.mid(6).left(160);
            break;
        }
    return out;
}

QString TrafficModel::details(const QJsonObject &f)
{
    QString out;
    const QString kind = f.value(QLatin1String("kind")).toString();
    if (kind == QLatin1String("http-request"))
        out += f.value(QLatin1String("method")).toString() + QLatin1Char(' ')
               + f.value(QLatin1String("path")).toString() + QLatin1Char('\n');
    else if (kind == QLatin1String("http-response"))
        out += QStringLiteral("HTTP %1\n").arg(f.value(QLatin1String("status")).toInt());
    for (const QJsonValue &h : f.value(QLatin1String("headers")).toArray())
        out += h.toArray().at(0).toString() + QStringLiteral(": ") + h.toArray().at(1).toString() + QLatin1Char('\n');
    QString body = f.value(QLatin1String("body")).toString();
    const QJsonDocument json = QJsonDocument::fromJson(body.toUtf8());
    if (!json.isNull())
        body = QString::fromUtf8(json.toJson(QJsonDocument::Indented));
    if (!out.isEmpty() && !body.isEmpty())
        out += QLatin1Char('\n');
    out += body;
    if (f.value(QLatin1String("truncated")).toBool())
        out += QLatin1Char('\n')
               + tr("[cut: %1 of %2 bytes recorded]")
                     .arg(f.value(QLatin1String("body")).toString().toUtf8().size())
                     .arg(qint64(f.value(QLatin1String("bodyBytes")).toDouble()));
    return out;
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_frames.size())
        return {};
    const QJsonObject &f = m_frames.at(index.row());
    const bool in = f.value(QLatin1String("direction")).toString() == QLatin1String("in");
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Time:
            return QDateTime::fromString(f.value(QLatin1String("time")).toString(), Qt::ISODateWithMs)
                .toLocalTime()
                .toString(QStringLiteral("HH:mm:ss.zzz"));
        case Direction:
            return in ? tr("→ in") : tr("← out");
        case Kind:
            return f.value(QLatin1String("kind")).toString();
        case Summary:
            return summary(f);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Summary)
        return summary(f);
    if (role == Qt::ForegroundRole && index.column() == Direction) {
        // Tinted from the palette's link colour so a dark palette stays readable.
        const QColor link = QGuiApplication::palette().color(QPalette::Link);
        return QBrush(in ? link : QGuiApplication::palette().color(QPalette::Text));
    }
    return {};
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Direction:
        return tr("Direction");
    case Kind:
        return tr("Kind");
    case Summary:
        return tr("Summary");
    }
    return {};
}

void TrafficModel::reset(const QList<QJsonObject> &frames)
{
    beginResetModel();
    m_frames = frames.size() > m_capacity ? frames.mid(frames.size() - m_capacity) : frames;
    m_lastSeq = m_frames.isEmpty() ? 0 : qint64(m_frames.last().value(QLatin1String("seq")).toDouble());
    endResetModel();
}

void TrafficModel::append(const QJsonObject &frame)
{
    const qint64 seq = qint64(frame.value(QLatin1String("seq")).toDouble());
    if (seq <= m_lastSeq)
        return;
    m_lastSeq = seq;
    if (m_frames.size() >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_frames.removeFirst();
        endRemoveRows();
    }
    beginInsertRows({}, int(m_frames.size()), int(m_frames.size()));
    m_frames.append(frame);
    endInsertRows();
}

} // namespace koan::ui
