#include "SessionsPage.h"

#include "SessionsModel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

SessionsPage::SessionsPage(ConsoleLink *link, SessionsModel *model, QWidget *parent)
    : QWidget(parent), m_link(link), m_model(model), m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this))
{
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(Qt::UserRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setObjectName(QStringLiteral("sessionsView"));
    m_view->setAccessibleName(tr("Live sessions"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    // Columns fit their contents so all thirteen stay readable; the user agent takes what is left.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(SessionsModel::UserAgent, QHeaderView::Stretch);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();

    auto *filter = new QLineEdit(this);
    filter->setObjectName(QStringLiteral("sessionsFilter"));
    filter->setAccessibleName(tr("Filter sessions"));
    filter->setPlaceholderText(tr("Filter by id, transport, client, subject, remote…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *disconnectButton = new QPushButton(tr("Disconnect session…"), this);
    disconnectButton->setObjectName(QStringLiteral("disconnectSession"));
    connect(disconnectButton, &QPushButton::clicked, this, &SessionsPage::disconnectSelected);

    auto *top = new QHBoxLayout;
    top->addWidget(filter, 1);
    top->addWidget(disconnectButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view);
}

void SessionsPage::disconnectSelected()
{
    const QModelIndexList rows
        = m_view->selectionModel() ? m_view->selectionModel()->selectedRows() : QModelIndexList();
    if (rows.isEmpty()) {
        QMessageBox::information(this, tr("Disconnect session"), tr("Select a session first."));
        return;
    }
    const QString id = rows.first().data(SessionsModel::SessionIdRole).toString();
    if (id.startsWith(QLatin1String("caller-"))) {
        // A stateless caller holds nothing open: there is nothing to disconnect (its token is the lever).
        QMessageBox::information(this, tr("Disconnect session"),
                                 tr("%1 is a 2026-07-28 caller: it holds no session or stream to disconnect.").arg(id));
        return;
    }
    if (QMessageBox::question(this, tr("Disconnect session"),
                              tr("Disconnect session %1? Its streams are closed; the client has to reconnect.").arg(id))
        != QMessageBox::Yes)
        return;
    m_link->disconnectSession(id);
}

} // namespace koan::ui
