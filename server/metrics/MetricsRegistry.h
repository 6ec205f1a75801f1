#pragma once
// Counters, gauges and histograms with labels, rendered in the Prometheus text format (0.0.4).
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <functional>

namespace koan {

class MetricsRegistry
{
public:
    using Labels = QMap<QString, QString>;

    void describe(const QString &name, const QString &type, const QString &help);
    void increment(const QString &name, const Labels &labels = {}, double by = 1);
    void set(const QString &name, double value, const Labels &labels = {});
    void observe(const QString &name, double value, const Labels &labels = {});
    // Gauges computed at scrape time (session counts, queued bytes ...).
    void addCollector(std::function<void(MetricsRegistry &)> collector);

    QByteArray render();
    double value(const QString &name, const Labels &labels = {}) const;

    static const QList<double> &latencyBuckets();

private:
    struct Histogram {
        QList<double> counts; // per bucket, cumulative at render time
        double sum = 0;
        quint64 count = 0;
    };
    struct Family {
        QString type;
        QString help;
        QMap<QString, double> values;        // label key -> value
        QMap<QString, Histogram> histograms; // label key -> histogram
    };
    static QString labelKey(const Labels &labels);

    QMap<QString, Family> m_families;
    QList<std::function<void(MetricsRegistry &)>> m_collectors;
};

} // namespace koan
