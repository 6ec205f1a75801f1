#include "HeartbeatsPage.h"

#include "SessionsModel.h"
#include "Sparkline.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace koan::ui {

HeartbeatsPage::HeartbeatsPage(SessionsModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_chart(new Sparkline(120, this)), m_caption(new QLabel(this)),
      m_timer(new QTimer(this))
{
    m_chart->setObjectName(QStringLiteral("heartbeatChart"));
    m_chart->setAccessibleName(tr("Active connections and heartbeats"));
    m_chart->addSeries(tr("active connections"), QColor(0x15, 0x65, 0xc0));
    m_chart->addSeries(tr("heartbeats per sample"), QColor(0x2e, 0x7d, 0x32));
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(Qt::UserRole);
    auto *view = new QTableView(this);
    view->setObjectName(QStringLiteral("heartbeatsView"));
    view->setAccessibleName(tr("Heartbeats by session"));
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    // Only the columns that tell heartbeat health.
    for (int c = 0; c < SessionsModel::ColumnCount; ++c)
        view->setColumnHidden(c, c != SessionsModel::Id && c != SessionsModel::Transport && c != SessionsModel::Client
                                     && c != SessionsModel::LastActivity && c != SessionsModel::LastHeartbeat
                                     && c != SessionsModel::Heartbeat && c != SessionsModel::Queued);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_caption);
    layout->addWidget(m_chart);
    layout->addWidget(view, 1);
    connect(m_timer, &QTimer::timeout, this, &HeartbeatsPage::sample);
    setSampleInterval(5000);
}

void HeartbeatsPage::setSampleInterval(int ms)
{
    m_timer->start(ms);
    m_caption->setText(tr("Last %1 s (one sample every %2 s)").arg(120 * ms / 1000.0).arg(ms / 1000.0));
}

void HeartbeatsPage::sample()
{
    m_chart->append({double(m_model->rowCount()), double(m_model->heartbeatsSinceLastSample())});
}

} // namespace koan::ui
