#include "MetricsRegistry.h"

namespace koan {

const QList<double> &MetricsRegistry::latencyBuckets()
{
    // Seconds; dense below 100 ms where the latency targets are.
    static const QList<double> b{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    return b;
}

QString MetricsRegistry::labelKey(const Labels &labels)
{
    // On every tools/call: plain appends, escaping only values that need it.
    QString key;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        if (!key.isEmpty())
            key += QLatin1Char(',');
        key += it.key();
        key += QLatin1String("=\"");
        const QString &v = it.value();
        if (v.contains(QLatin1Char('\\')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char('\n'))) {
            QString escaped = v;
            escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
                .replace(QLatin1Char('"'), QLatin1String("\\\""))
                .replace(QLatin1Char('\n'), QLatin1String("\\n"));
            key += escaped;
        } else {
            key += v;
        }
        key += QLatin1Char('"');
    }
    return key;
}

void MetricsRegistry::describe(const QString &name, const QString &type, const QString &help)
{
    Family &f = m_families[name];
    f.type = type;
    f.help = help;
}

void MetricsRegistry::increment(const QString &name, const Labels &labels, double by)
{
    m_families[name].values[labelKey(labels)] += by;
}

void MetricsRegistry::set(const QString &name, double value, const Labels &labels)
{
    m_families[name].values[labelKey(labels)] = value;
}

void MetricsRegistry::observe(const QString &name, double value, const Labels &labels)
{
    Histogram &h = m_families[name].histograms[labelKey(labels)];
    const QList<double> &buckets = latencyBuckets();
    if (h.counts.isEmpty())
        h.counts = QList<double>(buckets.size(), 0);
    for (int i = 0; i < buckets.size(); ++i)
        if (value <= buckets.at(i)) {
            ++h.counts[i];
            break;
        }
    h.sum += value;
    ++h.count;
}

void MetricsRegistry::addCollector(std::function<void(MetricsRegistry &)> collector)
{
    m_collectors.append(std::move(collector));
}

double MetricsRegistry::value(const QString &name, const Labels &labels) const
{
    const auto it = m_families.constFind(name);
    return it == m_families.constEnd() ? 0 : it->values.value(labelKey(labels));
}

QByteArray MetricsRegistry::render()
{
    for (const auto &c : std::as_const(m_collectors))
        c(*this);
    QByteArray out;
    const auto num = [](double v) { return QByteArray::number(v, 'g', 12); };
    for (auto f = m_families.cbegin(); f != m_families.cend(); ++f) {
        if (!f->help.isEmpty())
            out += "# HELP " + f.key().toUtf8() + ' ' + f->help.toUtf8() + '\n';
        out += "# TYPE " + f.key().toUtf8() + ' ' + (f->type.isEmpty() ? QByteArray("untyped") : f->type.toUtf8())
               + '\n';
        for (auto v = f->values.cbegin(); v != f->values.cend(); ++v)
            out += f.key().toUtf8() + (v.key().isEmpty() ? QByteArray() : '{' + v.key().toUtf8() + '}') + ' '
                   + num(v.value()) + '\n';
        for (auto h = f->histograms.cbegin(); h != f->histograms.cend(); ++h) {
            const QByteArray prefix = h.key().isEmpty() ? QByteArray() : h.key().toUtf8() + ',';
            double cumulative = 0;
            const QList<double> &buckets = latencyBuckets();
            for (int i = 0; i < buckets.size(); ++i) {
                cumulative += h->counts.at(i);
                out += f.key().toUtf8() + "_bucket{" + prefix + "le=\"" + num(buckets.at(i)) + "\"} " + num(cumulative)
                       + '\n';
            }
            out += f.key().toUtf8() + "_bucket{" + prefix + "le=\"+Inf\"} " + num(double(h->count)) + '\n';
            const QByteArray labels = h.key().isEmpty() ? QByteArray() : '{' + h.key().toUtf8() + '}';
            out += f.key().toUtf8() + "_sum" + labels + ' ' + num(h->sum) + '\n';
            out += f.key().toUtf8() + "_count" + labels + ' ' + num(double(h->count)) + '\n';
        }
    }
    return out;
}

} // namespace koan
