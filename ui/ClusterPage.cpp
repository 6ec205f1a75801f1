#include "ClusterPage.h"

#include "ClusterModels.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

ClusterPage::ClusterPage(QWidget *parent)
    : QWidget(parent), m_replicas(new ClusterReplicasModel(this)), m_sessions(new ClusterSessionsModel(this)),
      m_sessionsProxy(new QSortFilterProxyModel(this)), m_status(new QLabel(this)),
      m_replicasView(new QTableView(this)), m_sessionsView(new QTableView(this)),
      m_all(new QPushButton(tr("All replicas"), this))
{
    m_status->setObjectName(QStringLiteral("clusterStatus"));
    m_status->setAccessibleName(tr("Cluster state"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);

    m_replicasView->setObjectName(QStringLiteral("clusterReplicas"));
    m_replicasView->setAccessibleName(tr("Replicas"));
    m_replicasView->setModel(m_replicas);
    m_replicasView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_replicasView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_replicasView->verticalHeader()->hide();
    m_replicasView->horizontalHeader()->setStretchLastSection(true);

    m_sessionsProxy->setSourceModel(m_sessions);
    m_sessionsProxy->setFilterKeyColumn(ClusterSessionsModel::Replica);
    m_sessionsView->setObjectName(QStringLiteral("clusterSessions"));
    m_sessionsView->setAccessibleName(tr("Sessions in the cluster"));
    m_sessionsView->setModel(m_sessionsProxy);
    m_sessionsView->setSortingEnabled(true);
    m_sessionsView->verticalHeader()->hide();
    m_sessionsView->horizontalHeader()->setStretchLastSection(true);

    m_all->setObjectName(QStringLiteral("clusterAllReplicas"));
    m_all->setAccessibleName(tr("Show the sessions of all replicas"));
    m_all->setEnabled(false);
    connect(m_all, &QPushButton::clicked, this, [this] { showReplica({}); });
    connect(m_replicasView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    showReplica(m_replicas->replica(current.row()).id);
            });

    auto *lower = new QWidget(this);
    auto *lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    auto *caption = new QLabel(tr("Sessions (2025-era Streamable HTTP and legacy HTTP+SSE; stateless 2026-07-28 "
                                  "requests have none: any replica answers them)"),
                               lower);
    caption->setWordWrap(true);
    bar->addWidget(caption, 1);
    bar->addWidget(m_all);
    lowerLayout->addLayout(bar);
    lowerLayout->addWidget(m_sessionsView);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("clusterSplitter"));
    split->addWidget(m_replicasView);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    // Whole dates and ids, one line per row; fitted again when the rows change.
    for (QTableView *v : {m_replicasView, m_sessionsView}) {
        v->setWordWrap(false);
        connect(v->model(), &QAbstractItemModel::modelReset, v, [v] { v->resizeColumnsToContents(); });
        connect(v->model(), &QAbstractItemModel::rowsInserted, v, [v] { v->resizeColumnsToContents(); });
    }
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    setView({});
}

void ClusterPage::showReplica(const QString &id)
{
    m_sessionsProxy->setFilterRegularExpression(
        id.isEmpty() ? QRegularExpression()
                     : QRegularExpression(QRegularExpression::anchoredPattern(QRegularExpression::escape(id))));
    m_all->setEnabled(!id.isEmpty());
    if (id.isEmpty())
        m_replicasView->selectionModel()->clear();
}

void ClusterPage::setView(const ClusterView &view)
{
    m_clustered = !view.self.isEmpty();
    m_replicas->setView(view);
    m_sessions->setView(view);
    m_replicasView->setEnabled(m_clustered);
    m_sessionsView->setEnabled(m_clustered);
    if (!m_clustered) {
        m_status->setText(tr("Single node (SQLite): this server keeps its own store and sessions. With "
                             "DatabaseUrl=postgresql://… the replicas sharing the database are listed here."));
        return;
    }
    QString text = tr("%n replica(s) on one PostgreSQL database", nullptr, int(view.replicas.size()))
                   + QStringLiteral(" · ") + tr("%n session(s)", nullptr, view.totalSessions);
    if (view.totalSessions > view.sessions.size())
        text += QStringLiteral(" ") + tr("(the first %1 listed)").arg(view.sessions.size());
    const QDateTime taken = QDateTime::fromString(view.takenAt, Qt::ISODateWithMs);
    if (taken.isValid())
        text += QStringLiteral(" · ") + tr("as of %1").arg(taken.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
    if (!view.current)
        text += QStringLiteral(" · ") + tr("the database is unreachable: this is the last view");
    m_status->setText(text);
}

} // namespace koan::ui
