#pragma once
// Session history: the sessions that ended (last 1000), why, how long they lasted and what they
// exchanged; filterable by any column, or by reason.
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace koan::ui {

class SessionHistoryModel;

class SessionHistoryPage : public QWidget
{
    Q_OBJECT
public:
    SessionHistoryPage(SessionHistoryModel *model, QWidget *parent = nullptr);
    QTableView *view() const { return m_view; }
    QComboBox *reasonFilter() const { return m_reason; }
    QLineEdit *textFilter() const { return m_filter; }

private:
    void updateSummary();

    SessionHistoryModel *m_model;
    QSortFilterProxyModel *m_text;
    QSortFilterProxyModel *m_byReason;
    QTableView *m_view;
    QLineEdit *m_filter;
    QComboBox *m_reason;
    QLabel *m_summary;
};

} // namespace koan::ui
