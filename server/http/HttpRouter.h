#pragma once
// The route table: method + exact path -> handler, each route with the access class the request
// pipeline applies to it. A path that is known but asked with another method resolves to the
// one 405 answer (with Allow); an unknown path to the missing-route handler (404). A path may have
// `{}` segments (e.g. "/admin/tasks/{}/cancel"): each matches one non-empty segment, handed to the
// handler in Match::segments; exact paths are tried first.
#include "HttpRequest.h"

#include <QHash>
#include <QStringList>
#include <functional>

namespace koan {

class HttpResponder;

// How far the request pipeline checks a request before its route runs.
enum class RouteAccess {
    Probe,        // liveness/readiness: no Host check, plain HTTP even with RequireHttps, no auth
    Public,       // Host/Origin and HTTPS checked; no authentication, no rate limit
    Authenticated // every stage: authentication (anonymous allowed where the server allows it), rate limit
};

template<typename Context> class HttpRouter
{
public:
    using Handler = std::function<void(Context &context)>;
    struct Match {
        const Handler *handler = nullptr; // null: the route is the 405 or 404 answer
        RouteAccess access = RouteAccess::Authenticated;
        QByteArray allow;     // when the path is known but not for this method
        QStringList segments; // what the path's `{}` segments matched, in order
    };

    // `method` empty: any method (the handler answers 405 itself, e.g. a transport endpoint).
    void add(const QByteArray &method, const QString &path, RouteAccess access, Handler handler)
    {
        if (path.contains(QLatin1String("{}")))
            m_templates.append(path);
        Path &p = m_paths[path];
        p.access = access;
        p.methods.append(Method{method, std::move(handler)});
    }

    Match match(const QByteArray &method, const QString &path) const
    {
        auto it = m_paths.constFind(path);
        QStringList segments;
        for (int i = 0; it == m_paths.constEnd() && i < m_templates.size(); ++i)
            if (fits(m_templates.at(i), path, &segments))
                it = m_paths.constFind(m_templates.at(i));
        if (it == m_paths.constEnd())
            return {};
        Match m;
        m.access = it->access;
        m.segments = segments;
        for (const Method &candidate : it->methods) {
            if (candidate.method.isEmpty() || candidate.method == method) {
                m.handler = &candidate.handler;
                m.allow.clear();
                return m;
            }
            m.allow += (m.allow.isEmpty() ? "" : ", ") + candidate.method;
        }
        return m;
    }

private:
    static bool fits(const QString &pattern, const QString &path, QStringList *segments)
    {
        const QStringList want = pattern.split(QLatin1Char('/')), got = path.split(QLatin1Char('/'));
        if (want.size() != got.size())
            return false;
        QStringList matched;
        for (qsizetype i = 0; i < want.size(); ++i) {
            if (want.at(i) == QLatin1String("{}") && !got.at(i).isEmpty())
                matched.append(got.at(i));
            else if (want.at(i) != got.at(i))
                return false;
        }
        *segments = matched;
        return true;
    }

    struct Method {
        QByteArray method;
        Handler handler;
    };
    struct Path {
        RouteAccess access = RouteAccess::Authenticated;
        QList<Method> methods;
    };
    QHash<QString, Path> m_paths;
    QStringList m_templates; // the paths with `{}` segments, in the order added
};

} // namespace koan
