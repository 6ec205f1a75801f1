#pragma once
// Sessions: sortable, filterable live table; the selected session can be disconnected.
#include "console/ConsoleLink.h"

#include <QWidget>

class QSortFilterProxyModel;
class QTableView;

namespace koan::ui {

class SessionsModel;

class SessionsPage : public QWidget
{
    Q_OBJECT
public:
    SessionsPage(ConsoleLink *link, SessionsModel *model, QWidget *parent = nullptr);
    QTableView *view() const { return m_view; }
    // Asks for confirmation, then disconnects the selected session.
    void disconnectSelected();

private:
    ConsoleLink *m_link;
    SessionsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
};

} // namespace koan::ui
