#pragma once
// The Tool calls page's view of the history: pinned calls first, then in arrival order, narrowed
// to a tool, a session (or stateless caller), a subject and an outcome, and to calls whose tool,
// arguments, response or trace id contain the search text.
#include <QSortFilterProxyModel>

namespace koan::ui {

class ToolCallsFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ToolCallsFilter(QObject *parent = nullptr);

    // An empty value matches every call.
    void setTool(const QString &tool) { set(m_tool, tool); }
    void setSession(const QString &session) { set(m_session, session); }
    void setSubject(const QString &subject) { set(m_subject, subject); }
    void setOutcome(const QString &outcome) { set(m_outcome, outcome); }
    void setText(const QString &text) { set(m_text, text); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void set(QString &field, const QString &value);

    QString m_tool, m_session, m_subject, m_outcome, m_text;
};

} // namespace koan::ui
