#pragma once
// Tool calls, the call workbench: the history of every tools/call, narrowed by tool, session,
// subject, outcome and a search in arguments and responses; pin, replay, copy as curl, export
// JSONL; the selected call's request and response; the invoke panel beside it.
#include "console/ConsoleLink.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace koan::ui {

class InvokePanel;
class ToolCallsFilter;
class ToolCallsModel;

class ToolCallsPage : public QWidget
{
    Q_OBJECT
public:
    ToolCallsPage(ConsoleLink *link, ToolCallsModel *model, QWidget *parent = nullptr);
    InvokePanel *invokePanel() const { return m_invoke; }
    QTableView *view() const { return m_view; }
    ToolCallsFilter *filter() const { return m_filter; }
    QLineEdit *searchField() const { return m_search; }
    QComboBox *toolFilter() const { return m_toolBox; }
    QComboBox *sessionFilter() const { return m_sessionBox; }
    QComboBox *subjectFilter() const { return m_subjectBox; }
    QComboBox *outcomeFilter() const { return m_outcomeBox; }
    // Where the curl commands point (the server's base URL and route) and whether they carry a token.
    void setServerStatus(const koan::ServerStatus &status);

    void rerunSelected(); // replay: the same tool and arguments as the operator
    void togglePinSelected();
    // The selected call as a curl command line for its era (also put on the clipboard); empty when none is selected.
    QString copySelectedAsCurl();
    // The calls the filter shows, in its order, as JSONL; false with *error when the file cannot be written.
    bool exportJsonl(const QString &path, QString *error);
    QList<koan::ToolCallRecord> visibleRecords() const;

private:
    void showDetails();
    void rowsArrived(int first, int last);
    void filtersChanged();
    void exportWithDialog();
    int selectedSourceRow() const;
    static void addChoice(QComboBox *box, const QString &value, const QString &text);

    ToolCallsModel *m_model;
    ToolCallsFilter *m_filter;
    QTableView *m_view;
    QPlainTextEdit *m_details;
    InvokePanel *m_invoke;
    QLineEdit *m_search;
    QComboBox *m_toolBox;
    QComboBox *m_sessionBox;
    QComboBox *m_subjectBox;
    QComboBox *m_outcomeBox;
    QPushButton *m_pin;
    QLabel *m_feedback;
    koan::ServerStatus m_status;
};

} // namespace koan::ui
