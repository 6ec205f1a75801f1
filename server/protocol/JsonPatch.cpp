#include "JsonPatch.h"

#include <QStringList>

namespace koan::jsonpatch {

namespace {
enum class Mode { Add, Remove, Replace };

std::optional<QStringList> tokens(const QString &pointer)
{
    if (pointer.isEmpty())
        return QStringList{};
    if (!pointer.startsWith(QLatin1Char('/')))
        return std::nullopt;
    QStringList parts = pointer.mid(1).split(QLatin1Char('/'));
    for (QString &p : parts)
        p.replace(QLatin1String("~1"), QLatin1String("/")).replace(QLatin1String("~0"), QLatin1String("~"));
    return parts;
}

std::optional<qsizetype> arrayIndex(const QString &token, qsizetype size, bool allowEnd)
{
    if (allowEnd && token == QLatin1String("-"))
        return size;
    bool ok = false;
    const qsizetype i = token.toLongLong(&ok);
    if (!ok || i < 0 || i > size || (!allowEnd && i == size)
        || (token.size() > 1 && token.startsWith(QLatin1Char('0'))))
        return std::nullopt;
    return i;
}

std::optional<QJsonValue> get(const QJsonValue &node, const QStringList &path, int depth = 0)
{
    if (depth == path.size())
        return node;
    const QString &t = path.at(depth);
    if (node.isObject()) {
        const QJsonObject o = node.toObject();
        if (!o.contains(t))
            return std::nullopt;
        return get(o.value(t), path, depth + 1);
    }
    if (node.isArray()) {
        const QJsonArray a = node.toArray();
        const auto i = arrayIndex(t, a.size(), false);
        if (!i)
            return std::nullopt;
        return get(a.at(*i), path, depth + 1);
    }
    return std::nullopt;
}

// Rebuilds `node` with the change applied at `path`. Returns false when the path is invalid.
bool change(QJsonValue &node, const QStringList &path, int depth, Mode mode, const QJsonValue &value)
{
    const QString &t = path.at(depth);
    const bool last = depth + 1 == path.size();
    if (node.isObject()) {
        QJsonObject o = node.toObject();
        if (!last) {
            if (!o.contains(t))
                return false;
            QJsonValue child = o.value(t);
            if (!change(child, path, depth + 1, mode, value))
                return false;
            o.insert(t, child);
        } else if (mode == Mode::Add) {
            o.insert(t, value);
        } else {
            if (!o.contains(t))
                return false;
            if (mode == Mode::Remove)
                o.remove(t);
            else
                o.insert(t, value);
        }
        node = o;
        return true;
    }
    if (node.isArray()) {
        QJsonArray a = node.toArray();
        const auto i = arrayIndex(t, a.size(), last && mode == Mode::Add);
        if (!i)
            return false;
        if (!last) {
            QJsonValue child = a.at(*i);
            if (!change(child, path, depth + 1, mode, value))
                return false;
            a.replace(*i, child);
        } else if (mode == Mode::Add) {
            a.insert(*i, value);
        } else if (mode == Mode::Remove) {
            a.removeAt(*i);
        } else {
            a.replace(*i, value);
        }
        node = a;
        return true;
    }
    return false;
}
} // namespace

std::optional<QJsonObject> apply(const QJsonObject &doc, const QJsonArray &ops, QString *error)
{
    QJsonValue root = doc;
    for (qsizetype n = 0; n < ops.size(); ++n) {
        const QJsonObject op = ops.at(n).toObject();
        const QString name = op.value(QLatin1String("op")).toString();
        const QString pathText = op.value(QLatin1String("path")).toString();
        const auto failed = [&](const QString &why) {
            if (error)
                *error = QStringLiteral("patch[%1] (%2 %3): %4").arg(n).arg(name, pathText, why);
            return std::nullopt;
        };
        const auto path = tokens(pathText);
        if (!path)
            return failed(QStringLiteral("path must be a JSON Pointer starting with '/'"));
        if (path->isEmpty())
            return failed(QStringLiteral("the whole document cannot be replaced; use upsert"));
        const bool needsValue
            = name == QLatin1String("add") || name == QLatin1String("replace") || name == QLatin1String("test");
        if (needsValue && !op.contains(QLatin1String("value")))
            return failed(QStringLiteral("'value' is required"));
        const QJsonValue value = op.value(QLatin1String("value"));

        if (name == QLatin1String("test")) {
            const auto current = get(root, *path);
            if (!current || *current != value)
                return failed(QStringLiteral("test failed: value differs"));
            continue;
        }
        if (name == QLatin1String("add") || name == QLatin1String("replace") || name == QLatin1String("remove")) {
            const Mode mode = name == QLatin1String("add")      ? Mode::Add
                              : name == QLatin1String("remove") ? Mode::Remove
                                                                : Mode::Replace;
            if (!change(root, *path, 0, mode, value))
                return failed(QStringLiteral("path does not exist"));
            continue;
        }
        if (name == QLatin1String("move") || name == QLatin1String("copy")) {
            const auto from = tokens(op.value(QLatin1String("from")).toString());
            if (!from || from->isEmpty())
                return failed(QStringLiteral("'from' must be a JSON Pointer"));
            const auto moved = get(root, *from);
            if (!moved)
                return failed(QStringLiteral("'from' path does not exist"));
            if (name == QLatin1String("move") && !change(root, *from, 0, Mode::Remove, {}))
                return failed(QStringLiteral("'from' path does not exist"));
            if (!change(root, *path, 0, Mode::Add, *moved))
                return failed(QStringLiteral("path does not exist"));
            continue;
        }
        return failed(QStringLiteral("unknown op (use add, remove, replace, move, copy or test)"));
    }
    return root.toObject();
}

namespace {
QString escapeToken(QString token)
{
    return token.replace(QLatin1Char('~'), QLatin1String("~0")).replace(QLatin1Char('/'), QLatin1String("~1"));
}

void diffInto(const QJsonObject &from, const QJsonObject &to, const QString &base, QJsonArray &ops)
{
    QStringList keys = from.keys() + to.keys();
    keys.sort();
    keys.removeDuplicates();
    for (const QString &key : std::as_const(keys)) {
        const QString path = base + QLatin1Char('/') + escapeToken(key);
        const bool had = from.contains(key), has = to.contains(key);
        if (had && !has)
            ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("remove")}, {QStringLiteral("path"), path}});
        else if (!had && has)
            ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("add")},
                                   {QStringLiteral("path"), path},
                                   {QStringLiteral("value"), to.value(key)}});
        else if (from.value(key).isObject() && to.value(key).isObject())
            diffInto(from.value(key).toObject(), to.value(key).toObject(), path, ops);
        else if (from.value(key) != to.value(key))
            ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("replace")},
                                   {QStringLiteral("path"), path},
                                   {QStringLiteral("value"), to.value(key)}});
    }
}
} // namespace

QJsonArray diff(const QJsonObject &from, const QJsonObject &to)
{
    QJsonArray ops;
    diffInto(from, to, QString(), ops);
    return ops;
}

// Any JSON value, spelled out type by type: `{}` says the same, but clients that map tool schemas
// onto a single-type dialect drop or reject an untyped schema (Inspector --strict: untyped-schema).
static QJsonObject anyJsonValue()
{
    QJsonArray branches;
    for (const char *type : {"string", "number", "boolean", "object", "array", "null"})
        branches.append(QJsonObject{{QStringLiteral("type"), QLatin1String(type)}});
    return QJsonObject{
        {QStringLiteral("anyOf"), branches},
        {QStringLiteral("description"), QStringLiteral("The value to add, replace or test: any JSON value")}};
}

QJsonObject schema()
{
    const QJsonObject op{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("op"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                                        {QStringLiteral("enum"),
                                                         QJsonArray{QStringLiteral("add"), QStringLiteral("remove"),
                                                                    QStringLiteral("replace"), QStringLiteral("move"),
                                                                    QStringLiteral("copy"), QStringLiteral("test")}}}},
                     {QStringLiteral("path"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                  {QStringLiteral("description"), QStringLiteral("JSON Pointer, e.g. /status")}}},
                     {QStringLiteral("from"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
                     {QStringLiteral("value"), anyJsonValue()}}},
        {QStringLiteral("required"), QJsonArray{QStringLiteral("op"), QStringLiteral("path")}},
        {QStringLiteral("additionalProperties"), false}};
    return QJsonObject{
        {QStringLiteral("type"), QStringLiteral("array")},
        {QStringLiteral("description"), QStringLiteral("RFC 6902 JSON Patch operations, applied all or nothing")},
        {QStringLiteral("items"), op},
        {QStringLiteral("minItems"), 1}};
}

} // namespace koan::jsonpatch
