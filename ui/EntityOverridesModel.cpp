#include "EntityOverridesModel.h"

#include <QFont>
#include <QRegularExpression>

namespace koan::ui {

EntityOverridesModel::EntityOverridesModel(QObject *parent) : QAbstractTableModel(parent) { }

void EntityOverridesModel::setEntities(const QList<EntitySnapshot> &entities)
{
    beginResetModel();
    m_rows = entities;
    endResetModel();
}

int EntityOverridesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int EntityOverridesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags EntityOverridesModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == AllowMutations)
        return f | Qt::ItemIsUserCheckable;
    if (index.column() != Entity)
        f |= Qt::ItemIsEditable;
    return f;
}

QVariant EntityOverridesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const EntitySnapshot &s = m_rows.at(index.row());
    const EntityOptions &o = s.options;
    if (role == Qt::FontRole) { // values that differ from the entity's defaults are bold
        bool overridden = false;
        switch (index.column()) {
        case ToolPrefix:
            overridden = o.name != s.defaults.name;
            break;
        case Description:
            overridden = o.description != s.defaults.description;
            break;
        case AllowMutations:
            overridden = o.allowMutations != s.defaults.allowMutations;
            break;
        case RequireAuthentication:
            overridden = o.requireAuthentication.has_value();
            break;
        case RequiredScopes:
            overridden = o.requiredScopes != s.defaults.requiredScopes;
            break;
        case EnabledTransports:
            overridden = o.enabledTransports != s.defaults.enabledTransports;
            break;
        default:
            break;
        }
        QFont font;
        font.setBold(overridden);
        return font;
    }
    if (role == Qt::CheckStateRole && index.column() == AllowMutations)
        return o.allowMutations ? Qt::Checked : Qt::Unchecked;
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Entity:
        return s.entity;
    case ToolPrefix:
        return o.name;
    case Description:
        return o.description;
    case AllowMutations:
        return o.allowMutations ? tr("allowed") : tr("read-only");
    case RequireAuthentication:
        return !o.requireAuthentication   ? tr("server default")
               : *o.requireAuthentication ? tr("required")
                                          : tr("not required");
    case RequiredScopes:
        return o.requiredScopes.join(QLatin1Char(' '));
    case EnabledTransports:
        // "All" is the configuration keyword, like the transport names: not translated.
        return o.enabledTransports == allTransports() ? QStringLiteral("All")
                                                      : transportNames(o.enabledTransports).join(QStringLiteral(", "));
    }
    return {};
}

QVariant EntityOverridesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Entity:
        return tr("Entity");
    case ToolPrefix:
        return tr("Tool prefix");
    case Description:
        return tr("Description");
    case AllowMutations:
        return tr("Mutations");
    case RequireAuthentication:
        return tr("Authentication");
    case RequiredScopes:
        return tr("Required scopes");
    case EnabledTransports:
        return tr("Enabled transports");
    }
    return {};
}

QString EntityOverridesModel::parseTransports(const QString &text, TransportSet *out)
{
    TransportSet set;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return tr("List transports (Stdio, HttpSse, StreamableHttp, Operator), or All / None");
    for (const QString &p : parts) {
        TransportSet one;
        if (!parseTransportName(p, &one))
            return tr("Unknown transport \"%1\": use Stdio, HttpSse, StreamableHttp, Operator, All or None").arg(p);
        set |= one;
    }
    *out = set;
    return {};
}

bool EntityOverridesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid())
        return false;
    const EntitySnapshot &s = m_rows.at(index.row());
    EntityOptions o = s.options;
    const QString text = value.toString().trimmed();
    const auto reject = [this](const QString &message) {
        emit validationFailed(message);
        return false;
    };
    if (role == Qt::CheckStateRole && index.column() == AllowMutations) {
        o.allowMutations = value.toInt() == Qt::Checked;
    } else if (role != Qt::EditRole) {
        return false;
    } else {
        switch (index.column()) {
        case ToolPrefix: {
            static const QRegularExpression valid(QStringLiteral("^[a-z0-9][a-z0-9\\-]{0,63}$"));
            if (!valid.match(text).hasMatch())
                return reject(
                    tr("Tool prefix \"%1\" must be lower-case letters, digits and '-' (e.g. trial-site)").arg(text));
            o.name = text;
            break;
        }
        case Description:
            if (text.isEmpty())
                return reject(tr("The description cannot be empty: clients show it to models"));
            o.description = text;
            break;
        case RequireAuthentication: {
            const QString v = text.toLower();
            if (v == tr("server default").toLower() || v == QLatin1String("default"))
                o.requireAuthentication.reset();
            else if (v == tr("required").toLower() || v == QLatin1String("true") || v == QLatin1String("yes"))
                o.requireAuthentication = true;
            else if (v == tr("not required").toLower() || v == QLatin1String("false") || v == QLatin1String("no"))
                o.requireAuthentication = false;
            else
                return reject(tr("Authentication must be \"server default\", \"required\" or \"not required\""));
            break;
        }
        case RequiredScopes: {
            static const QRegularExpression scope(QStringLiteral("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$"));
            const QStringList scopes = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            for (const QString &sc : scopes)
                if (!scope.match(sc).hasMatch())
                    return reject(tr("\"%1\" is not a valid OAuth scope").arg(sc));
            o.requiredScopes = scopes;
            break;
        }
        case EnabledTransports: {
            TransportSet set;
            if (const QString problem = parseTransports(text, &set); !problem.isEmpty())
                return reject(problem);
            o.enabledTransports = set;
            break;
        }
        default:
            return false;
        }
    }
    emit applyRequested(s.entity, o);
    return true;
}

} // namespace koan::ui
