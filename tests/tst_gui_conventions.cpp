// Desktop conventions of the console (#18), the whole suite at 200% (QT_SCALE_FACTOR=2 and fonts
// at twice their size) in a dark palette, over a real server with real traffic: every interactive widget, chart and table of
// every page and dialog has an accessible name a screen reader can say; the charts and the
// colour-coded cells paint from the palette (the chart's text is the palette's text colour, its
// background the palette's base, nothing near black on the dark base), and the charts and
// labels size from the font, so nothing is clipped at 200%. With KOAN_SCREENSHOT_DIR set, also
// saves docs/console-overview-dark.png.
#include "AboutDialog.h"
#include "BarChart.h"
#include "MainWindow.h"
#include "OverviewPage.h"
#include "RollbackDialog.h"
#include "SessionsModel.h"
#include "ToolCallsModel.h"
#include "Sparkline.h"
#include "console/InProcessConsoleLink.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSlider>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QTextEdit>
#include <cmath>

using namespace koan;
using namespace koan::test;

namespace {
QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2b, 0x2b), base(0x1e, 0x1e, 0x1e), text(0xe8, 0xe8, 0xe8);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(0x42, 0x8b, 0xdd));
    p.setColor(QPalette::HighlightedText, Qt::black);
    p.setColor(QPalette::Mid, QColor(0x60, 0x60, 0x60));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x90, 0x90, 0x90));
    return p;
}

double luminance(const QColor &c)
{
    const auto ch = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
}
double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}
int distance(const QColor &a, const QColor &b)
{
    return qAbs(a.red() - b.red()) + qAbs(a.green() - b.green()) + qAbs(a.blue() - b.blue());
}

// What a screen reader says for `w`: its accessible name, or what Qt derives (a button's text, a
// field's buddy label).
QString spokenName(QWidget *w)
{
    QAccessibleInterface *a = QAccessible::queryAccessibleInterface(w);
    return a ? a->text(QAccessible::Name).trimmed() : QString();
}

bool interactive(QWidget *w)
{
    return qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w) || qobject_cast<QComboBox *>(w)
           || qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QAbstractItemView *>(w) || qobject_cast<QSlider *>(w)
           || qobject_cast<QTextEdit *>(w) || qobject_cast<QPlainTextEdit *>(w) || qobject_cast<ui::Sparkline *>(w)
           || qobject_cast<ui::BarChart *>(w);
}

// Parts of a composite control (a combo box's line edit, a view's header and scroll bars, a
// spin box's editor) speak through their owner.
bool insideComposite(QWidget *w, QWidget *root)
{
    for (QWidget *p = w->parentWidget(); p && p != root; p = p->parentWidget())
        if (qobject_cast<QComboBox *>(p) || qobject_cast<QAbstractSpinBox *>(p) || qobject_cast<QAbstractItemView *>(p)
            || qobject_cast<QTabBar *>(p))
            return true;
    return qobject_cast<QScrollBar *>(w) || qobject_cast<QTabBar *>(w->parentWidget());
}

// "Page: Class objectName" of every interactive widget under `root` without a spoken name.
QStringList unnamed(QWidget *root, const QString &where)
{
    QStringList out;
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (!interactive(w) || insideComposite(w, root) || !w->isVisibleTo(root))
            continue;
        if (spokenName(w).isEmpty())
            out << QStringLiteral("%1: %2 '%3'")
                       .arg(where, QString::fromLatin1(w->metaObject()->className()), w->objectName());
    }
    return out;
}
} // namespace

class TestGuiConventions : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<InProcessConsoleLink> m_link;
    std::unique_ptr<ui::MainWindow> m_window;

private slots:
    void initTestCase()
    {
        QApplication::setPalette(darkPalette());
        // 200% the other way desktops scale: fonts at twice their size (Xft.dpi 192), on top of
        // QT_SCALE_FACTOR=2's device pixels.
        QFont big = QApplication::font();
        big.setPointSizeF(big.pointSizeF() * 2);
        QApplication::setFont(big);
        m_server = std::make_unique<ServerFixture>();
        QVERIFY2(m_server->ok, qPrintable(m_server->problems));
        m_link = std::make_unique<InProcessConsoleLink>(m_server->server->admin());
        m_window = std::make_unique<ui::MainWindow>(m_link.get());
        m_window->resize(1280, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        // Real traffic: a Streamable session with calls, a legacy stream, bad tokens.
        HttpClient s(m_server->port);
        const HttpResponse init
            = s.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        const QByteArray sid = init.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        for (int i = 0; i < 6; ++i)
            s.request("POST", "/mcp", streamableHeaders(sid),
                      rpc(10 + i, "tools/call",
                          {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}}));
        HttpClient bad(m_server->port);
        bad.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer not.a.jwt"}});
        QTRY_VERIFY_WITH_TIMEOUT(m_window->overviewPage()->sampleCount() >= 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->overviewPage()->authReasons()->bars().isEmpty(), 5000);
    }

    void runsAtTwoHundredPercent()
    {
        QCOMPARE(m_window->devicePixelRatioF(), 2.0);
        const QImage shot = m_window->grab().toImage();
        QCOMPARE(shot.width(), m_window->width() * 2);
    }

    void everyControlHasAnAccessibleName()
    {
        QStringList missing;
        QTabWidget *tabs = m_window->tabs();
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            QTest::qWait(20);
            missing += unnamed(tabs->widget(i), tabs->tabText(i).remove('&'));
        }
        missing += unnamed(m_window->centralWidget(), QStringLiteral("window"));
        ui::RollbackDialog rollback(3, m_window.get());
        rollback.show();
        missing += unnamed(&rollback, QStringLiteral("rollback dialog"));
        ui::AboutDialog about(m_link.get(), m_window.get());
        about.show();
        missing += unnamed(&about, QStringLiteral("about dialog"));
        missing.removeDuplicates();
        QVERIFY2(missing.isEmpty(), qPrintable("\n" + missing.join('\n')));
    }

    void chartsPaintFromThePalette()
    {
        ui::OverviewPage *overview = m_window->overviewPage();
        m_window->tabs()->setCurrentWidget(overview);
        const QPalette p = QApplication::palette();
        const QColor text = p.color(QPalette::Text), base = p.color(QPalette::Base);
        QList<QWidget *> charts;
        for (ui::Sparkline *c : overview->charts())
            charts << c;
        charts << overview->authReasons() << overview->toolHistogram();
        for (QWidget *chart : charts) {
            QCOMPARE(chart->palette().color(QPalette::Text), text);
            const QImage img = chart->grab().toImage();
            QCOMPARE(img.devicePixelRatio(), 2.0);
            QCOMPARE(QColor(img.pixel(1, 1)), base); // the background is the palette's base
            int textLike = 0, nearBlack = 0;
            for (int y = 0; y < img.height(); ++y)
                for (int x = 0; x < img.width(); ++x) {
                    const QColor c(img.pixel(x, y));
                    textLike += distance(c, text) < 40 ? 1 : 0;
                    nearBlack += qMax(c.red(), qMax(c.green(), c.blue())) < 0x14 ? 1 : 0;
                }
            // Title, legend and axes in the palette's text colour; nothing in black on the dark base.
            QVERIFY2(textLike > 100, qPrintable(chart->objectName() + ": " + QString::number(textLike)));
            QVERIFY2(nearBlack == 0, qPrintable(chart->objectName() + ": " + QString::number(nearBlack)));
        }
    }

    void colourCodedCellsStayReadable()
    {
        // The heartbeat column's state colours, tinted into the palette's base: the palette's text
        // stays readable on them (WCAG contrast >= 4.5).
        ui::SessionsModel model;
        SessionInfo healthy;
        healthy.id = "s-healthy";
        healthy.transport = TransportKind::HttpSse;
        healthy.openStreams = 1;
        healthy.created = healthy.lastActivity = healthy.lastHeartbeat = QDateTime::currentDateTimeUtc();
        model.setKeepAliveInterval(15000);
        model.reset({healthy});
        const QVariant bg = model.index(0, ui::SessionsModel::Heartbeat).data(Qt::BackgroundRole);
        QVERIFY(bg.isValid());
        const QColor cell = bg.value<QBrush>().color();
        const QVariant fg = model.index(0, ui::SessionsModel::Heartbeat).data(Qt::ForegroundRole);
        const QColor text = fg.isValid() ? fg.value<QBrush>().color() : QApplication::palette().color(QPalette::Text);
        QVERIFY2(contrast(cell, text) >= 4.5, qPrintable(QString::number(contrast(cell, text))));

        // A failed tool call's outcome, in the error text colour, on the dark base.
        ui::ToolCallsModel calls;
        ToolCallRecord failed;
        failed.tool = QStringLiteral("trial-site.get-by-id");
        failed.outcome = QStringLiteral("tool_error");
        failed.time = QDateTime::currentDateTimeUtc();
        calls.toolCallFinished(failed);
        const QVariant error = calls.index(0, ui::ToolCallsModel::Outcome).data(Qt::ForegroundRole);
        QVERIFY(error.isValid());
        const QColor base = QApplication::palette().color(QPalette::Base);
        const QColor red = error.value<QBrush>().color();
        QVERIFY2(contrast(red, base) >= 4.5, qPrintable(QString::number(contrast(red, base))));
    }

    void nothingClippedAtTwoHundredPercent()
    {
        ui::OverviewPage *overview = m_window->overviewPage();
        m_window->tabs()->setCurrentWidget(overview);
        QTest::qWait(50);
        const QFontMetrics fm = overview->fontMetrics();
        for (ui::Sparkline *c : overview->charts()) {
            // Title, legend, three lines of plot and the time axis fit the height it gets.
            QVERIFY(c->minimumSizeHint().height() >= fm.height() * 6);
            QVERIFY2(c->height() >= c->minimumSizeHint().height(), qPrintable(QStringLiteral("%1: %2 < %3")
                                                                                  .arg(c->objectName())
                                                                                  .arg(c->height())
                                                                                  .arg(c->minimumSizeHint().height())));
        }
        // The summary's text fits its label.
        QLabel *summary = overview->summary();
        QVERIFY2(summary->heightForWidth(summary->width()) <= summary->height(),
                 qPrintable(
                     QStringLiteral("%1 > %2").arg(summary->heightForWidth(summary->width())).arg(summary->height())));
        ui::BarChart *reasons = overview->authReasons();
        QVERIFY(reasons->height() >= reasons->minimumSizeHint().height());
        if (const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(m_window->grab().save(dir + QStringLiteral("/console-overview-dark.png")));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_link.reset();
        m_server.reset();
    }
};

int main(int argc, char **argv)
{
    // Before the application exists: every window of this suite renders at 200%.
    qputenv("QT_SCALE_FACTOR", "2");
    QApplication app(argc, argv);
    TestGuiConventions t;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&t, argc, argv);
}
#include "tst_gui_conventions.moc"
