//! The signal browser: stacked channels with labels, paging and zoom, a typed jump,
//! the whole-recording overview strip, global and per-channel gain with a µV scale
//! bar, channel select/hide/reorder/mark bad, montages and display filters (second
//! toolbar row, [`super::montage`]), and annotations drawn as spans.
//!
//! Each trace is drawn from [`Document::traces`] (as recorded, unfiltered) or from
//! [`montage::derived_traces`] (another montage or a display filter): at most two
//! points per pixel column (a min/max envelope), never every sample of a long page.

use super::command::{Command, View, ViewContext};
use super::dialog::Dialogs;
use super::document::{format_time, ChannelDisplay, Document, Measurement, MIN_LANE};
use super::montage::{self, RowMeta, RowTrace};
use super::pyramid::Trace;
use super::settings::Settings;
use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2};

/// Width of the label column, points.
pub const LABEL_WIDTH: f32 = 90.0;
/// Height of the time axis under the traces, points.
pub const AXIS_HEIGHT: f32 = 18.0;
/// Height of the overview strip, points.
const OVERVIEW_HEIGHT: f32 = 34.0;
/// Page lengths offered in the toolbar, s.
const PAGES: [f64; 10] = [1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0];
/// Sensitivities offered in the toolbar, µV per channel spacing.
const SENSITIVITIES: [f32; 12] = [
    5.0, 10.0, 20.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0, 500.0, 1000.0, 5000.0,
];

/// The signal browser of the active recording (its state is the document's).
pub struct SignalsView;

impl View for SignalsView {
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut ViewContext<'_>) -> Vec<Command> {
        if let Some(doc) = ctx.doc.as_deref_mut() {
            show(ui, doc, ctx.settings, ctx.dialogs);
        }
        Vec::new()
    }
}

fn show(ui: &mut egui::Ui, doc: &mut Document, settings: &Settings, dialogs: &Dialogs) {
    let duration = doc.duration();
    handle_keys(ui, doc, duration);
    toolbar(ui, doc, duration);
    montage::controls(ui, doc, &settings.user_montages, dialogs);
    egui::Panel::left(("channel-list", doc.id))
        .resizable(true)
        .default_size(210.0)
        .show(ui, |ui| channel_list(ui, doc));
    if settings.show_overview {
        egui::Panel::bottom(("overview", doc.id))
            .exact_size(OVERVIEW_HEIGHT + 8.0)
            .show(ui, |ui| overview(ui, doc, duration));
    }
    egui::CentralPanel::default().show(ui, |ui| traces(ui, doc, duration));
}

/// Keys of the browser (listed in `help::SHORTCUTS`).
fn handle_keys(ui: &mut egui::Ui, doc: &mut Document, duration: f64) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    use egui::{Key, Modifiers};
    paging_keys(ui, &mut doc.browser, duration);
    let v = &mut doc.browser;
    let mut select_step = 0isize;
    let mut toggle_bad = false;
    let mut hide = false;
    ui.input_mut(|i| {
        let plus = i.consume_key(Modifiers::NONE, Key::Plus)
            || i.consume_key(Modifiers::NONE, Key::Equals)
            || i.consume_key(Modifiers::SHIFT, Key::Equals);
        if plus {
            v.uv_per_div = step_sensitivity(v.uv_per_div, -1);
        }
        if i.consume_key(Modifiers::NONE, Key::Minus) {
            v.uv_per_div = step_sensitivity(v.uv_per_div, 1);
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
            select_step = 1;
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
            select_step = -1;
        }
        if i.consume_key(Modifiers::NONE, Key::A) {
            v.fit_now = true;
        }
        toggle_bad = i.consume_key(Modifiers::NONE, Key::B);
        hide = i.consume_key(Modifiers::NONE, Key::H);
    });
    if select_step != 0 {
        let visible: Vec<usize> = doc.visible_channels().map(|c| c.signal).collect();
        if !visible.is_empty() {
            let pos = doc
                .browser
                .selected
                .and_then(|s| visible.iter().position(|&v| v == s));
            let next = match pos {
                None => 0,
                Some(p) => (p as isize + select_step).clamp(0, visible.len() as isize - 1) as usize,
            };
            doc.browser.selected = Some(visible[next]);
            doc.browser.reveal_selected = true;
        }
    }
    if let Some(sel) = doc.browser.selected {
        if let Some(c) = doc.channels.iter_mut().find(|c| c.signal == sel) {
            if toggle_bad {
                c.bad = !c.bad;
            }
            if hide {
                c.visible = false;
            }
        }
    }
}

/// The paging and time-zoom keys (PgDn / PgUp, Right / Left, Home / End, Ctrl+= /
/// Ctrl+-), shared by the views that follow the browser's page; nothing while a text
/// field has the keyboard.
pub fn paging_keys(ui: &mut egui::Ui, v: &mut super::document::BrowserView, duration: f64) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    use egui::{Key, Modifiers};
    ui.input_mut(|i| {
        if i.consume_key(Modifiers::NONE, Key::PageDown) {
            v.scroll_pages(1.0, duration);
        }
        if i.consume_key(Modifiers::NONE, Key::PageUp) {
            v.scroll_pages(-1.0, duration);
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowRight) {
            v.scroll_pages(0.1, duration);
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowLeft) {
            v.scroll_pages(-0.1, duration);
        }
        if i.consume_key(Modifiers::NONE, Key::Home) {
            v.jump_to(0.0, duration);
        }
        if i.consume_key(Modifiers::NONE, Key::End) {
            v.jump_to(duration, duration);
        }
        let mid = v.t0 + 0.5 * v.page;
        if i.consume_key(Modifiers::COMMAND, Key::Equals)
            || i.consume_key(Modifiers::COMMAND, Key::Plus)
        {
            v.zoom(0.5, mid, duration);
        }
        if i.consume_key(Modifiers::COMMAND, Key::Minus) {
            v.zoom(2.0, mid, duration);
        }
    });
}

/// The next sensitivity in `SENSITIVITIES` towards more (`dir < 0`) or less
/// (`dir > 0`) amplitude on screen.
pub fn step_sensitivity(current: f32, dir: i32) -> f32 {
    if dir < 0 {
        SENSITIVITIES
            .iter()
            .rev()
            .copied()
            .find(|&s| s < current * 0.999)
            .unwrap_or(SENSITIVITIES[0])
    } else {
        SENSITIVITIES
            .iter()
            .copied()
            .find(|&s| s > current * 1.001)
            .unwrap_or(SENSITIVITIES[SENSITIVITIES.len() - 1])
    }
}

fn toolbar(ui: &mut egui::Ui, doc: &mut Document, duration: f64) {
    ui.horizontal_wrapped(|ui| {
        let v = &mut doc.browser;
        if ui
            .button("|<")
            .on_hover_text("Start of the recording (Home)")
            .clicked()
        {
            v.jump_to(0.0, duration);
        }
        if ui
            .button("<<")
            .on_hover_text("Previous page (PgUp)")
            .clicked()
        {
            v.scroll_pages(-1.0, duration);
        }
        if ui
            .button("<")
            .on_hover_text("Back 1/10 page (Left arrow)")
            .clicked()
        {
            v.scroll_pages(-0.1, duration);
        }
        if ui
            .button(">")
            .on_hover_text("Forward 1/10 page (Right arrow)")
            .clicked()
        {
            v.scroll_pages(0.1, duration);
        }
        if ui.button(">>").on_hover_text("Next page (PgDn)").clicked() {
            v.scroll_pages(1.0, duration);
        }
        if ui
            .button(">|")
            .on_hover_text("End of the recording (End)")
            .clicked()
        {
            v.jump_to(duration, duration);
        }
        ui.separator();
        let tl = &doc.timeline;
        let goto = ui.label("Go to");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut v.goto_text)
                    .desired_width(90.0)
                    .hint_text(if v.clock { "hh:mm:ss" } else { "mm:ss" }),
            )
            .labelled_by(goto.id);
        let r = r.on_hover_text(if v.clock {
            "Clock time to show (hh:mm:ss), or +elapsed time (+125.5, +2:05); Enter to go"
        } else {
            "Time to show: seconds, mm:ss or hh:mm:ss since the start (gaps included); Enter to go"
        });
        let go = ui.button("Go").clicked()
            || (r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
        if go {
            match tl.parse(&v.goto_text, v.clock) {
                Ok(t) => {
                    v.jump_to(t, duration);
                    v.goto_error = None;
                }
                Err(e) => v.goto_error = Some(e),
            }
        }
        if let Some(e) = &v.goto_error {
            ui.colored_label(ui.visuals().error_fg_color, "(!)")
                .on_hover_text(e.as_str());
        }
        ui.separator();
        let page = v.page;
        egui::ComboBox::from_id_salt(("page", doc.id))
            .selected_text(if page >= 60.0 {
                format!("{}/page", format_time(page))
            } else {
                format!("{} s/page", trim_float((page * 100.0).round() / 100.0))
            })
            .show_ui(ui, |ui| {
                for p in PAGES.iter().copied().filter(|&p| p <= duration.max(1.0)) {
                    if ui
                        .selectable_label((p - page).abs() < 1e-9, format!("{p} s"))
                        .clicked()
                    {
                        v.page = p;
                        v.clamp(duration);
                    }
                }
            })
            .response
            .on_hover_text("Page length (Ctrl+wheel on the traces zooms)");
        egui::ComboBox::from_id_salt(("sens", doc.id))
            .selected_text(format!("{} µV/div", trim_float(v.uv_per_div as f64)))
            .show_ui(ui, |ui| {
                for s in SENSITIVITIES {
                    ui.selectable_value(&mut v.uv_per_div, s, format!("{s} µV/div"));
                }
            })
            .response
            .on_hover_text("Sensitivity: µV per channel spacing (+ / − keys)");
        if ui.button("−").on_hover_text("Less amplitude (−)").clicked() {
            v.uv_per_div = step_sensitivity(v.uv_per_div, 1);
        }
        if ui.button("+").on_hover_text("More amplitude (+)").clicked() {
            v.uv_per_div = step_sensitivity(v.uv_per_div, -1);
        }
        let (first, total) = (v.first_row, v.rows_shown.1);
        let shown = v.rows_shown.0;
        egui::ComboBox::from_id_salt(("rows", doc.id))
            .selected_text(if shown < total {
                format!("channels {}–{} of {total}", first + 1, first + shown)
            } else {
                format!("all {total} channels")
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut v.rows_per_page, None, "As many as readable");
                for n in [8, 16, 24, 32] {
                    ui.selectable_value(&mut v.rows_per_page, Some(n), format!("{n} per page"));
                }
                ui.selectable_value(&mut v.rows_per_page, Some(0), "All");
            })
            .response
            .on_hover_text("Channels per page; the wheel over the labels scrolls through the channels");
        if ui
            .button("Fit")
            .on_hover_text("Choose the sensitivity from the amplitudes on this page (A)")
            .clicked()
        {
            v.fit_now = true;
        }
        ui.checkbox(&mut v.remove_dc, "Remove DC")
            .on_hover_text("Subtract each trace's mean over the page");
        ui.add_enabled(tl.has_clock(), egui::Checkbox::new(&mut v.clock, "Clock time"))
            .on_hover_text("Show and type times as clock time from the recording's start, instead of time elapsed since the start")
            .on_disabled_hover_text("The recording gives no start time");
        ui.separator();
        let gaps = tl.gaps.len();
        ui.label(format!(
            "{} – {} of {}{}",
            tl.label(v.t0, v.clock),
            tl.label(v.t1().min(duration), v.clock),
            format_time(tl.wall(duration)),
            match gaps {
                0 => String::new(),
                1 => " (1 gap)".into(),
                n => format!(" ({n} gaps)"),
            }
        ));
        if doc.pyramid_job.is_some() {
            ui.spinner()
                .on_hover_text("Building the overview; long pages draw slowly until it is ready");
        }
    });
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn channel_list(ui: &mut egui::Ui, doc: &mut Document) {
    ui.horizontal(|ui| {
        ui.strong("Channels");
        if ui
            .small_button("Show all")
            .on_hover_text("Show every channel in file order, gains reset")
            .clicked()
        {
            doc.reset_channels();
        }
    });
    let labels: Vec<String> = doc
        .recording
        .signals()
        .iter()
        .map(|s| s.label.clone())
        .collect();
    let mut move_req: Option<(usize, isize)> = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new(("channel-grid", doc.id))
                .num_columns(6)
                .spacing([4.0, 2.0])
                .show(ui, |ui| {
                    for pos in 0..doc.channels.len() {
                        let ChannelDisplay { signal, .. } = doc.channels[pos];
                        let label = labels.get(signal).cloned().unwrap_or_default();
                        let c = &mut doc.channels[pos];
                        ui.checkbox(&mut c.visible, "")
                            .on_hover_text(format!("Show {label}"));
                        let selected = doc.browser.selected == Some(signal);
                        let text = if c.bad {
                            egui::RichText::new(&label)
                                .strikethrough()
                                .color(Color32::from_rgb(200, 80, 80))
                        } else {
                            egui::RichText::new(&label)
                        };
                        if ui.selectable_label(selected, text).clicked() {
                            doc.browser.selected = if selected { None } else { Some(signal) };
                            doc.browser.reveal_selected = true;
                        }
                        let c = &mut doc.channels[pos];
                        ui.toggle_value(&mut c.bad, "bad")
                            .on_hover_text(format!("Mark {label} bad (B)"));
                        ui.add(
                            egui::DragValue::new(&mut c.gain)
                                .range(0.05..=50.0)
                                .speed(0.02)
                                .fixed_decimals(2)
                                .prefix("×"),
                        )
                        .on_hover_text(format!("Gain of {label}"));
                        if ui
                            .small_button("^")
                            .on_hover_text(format!("Move {label} up"))
                            .clicked()
                        {
                            move_req = Some((pos, -1));
                        }
                        if ui
                            .small_button("v")
                            .on_hover_text(format!("Move {label} down"))
                            .clicked()
                        {
                            move_req = Some((pos, 1));
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some((pos, d)) = move_req {
        doc.move_channel(pos, d);
    }
}

/// Whole-recording strip: the current page as a box, annotations as ticks; a click or
/// drag centres the page there.
fn overview(ui: &mut egui::Ui, doc: &mut Document, duration: f64) {
    let (rect, resp) = ui.allocate_exact_size(
        Vec2::new(ui.available_width(), OVERVIEW_HEIGHT),
        Sense::click_and_drag(),
    );
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Recording overview"));
    let resp = resp.on_hover_text("Overview of the whole recording: click to jump");
    let painter = ui.painter_at(rect);
    let vis = ui.visuals();
    painter.rect_filled(rect, 2.0, vis.extreme_bg_color);
    if duration <= 0.0 {
        return;
    }
    let x_of = |t: f64| rect.left() + (t / duration) as f32 * rect.width();
    let tl = &doc.timeline;
    for g in &tl.gaps {
        let x = x_of(g.sample_time);
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(2.0, GAP_COLOR),
        );
    }
    for a in doc.recording.annotations() {
        let x = x_of(tl.sample(a.onset));
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, Color32::from_rgb(230, 160, 40)),
        );
    }
    let page = Rect::from_x_y_ranges(
        x_of(doc.browser.t0)..=x_of(doc.browser.t1()).max(x_of(doc.browser.t0) + 2.0),
        rect.y_range(),
    );
    painter.rect_filled(page, 1.0, vis.selection.bg_fill.gamma_multiply(0.6));
    painter.rect_stroke(page, 1.0, vis.selection.stroke, egui::StrokeKind::Inside);
    let step = nice_step(duration / 8.0);
    let mut t = 0.0;
    while t <= duration {
        painter.text(
            Pos2::new(x_of(t) + 2.0, rect.bottom() - 1.0),
            egui::Align2::LEFT_BOTTOM,
            tl.label(t, doc.browser.clock),
            egui::FontId::proportional(10.0),
            vis.weak_text_color(),
        );
        t += step;
    }
    if resp.clicked() || resp.dragged() {
        if let Some(p) = resp.interact_pointer_pos() {
            let t = ((p.x - rect.left()) / rect.width()) as f64 * duration;
            doc.browser.center_on(t, duration);
        }
    }
}

/// A round step (1, 2 or 5 × 10^k) at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= raw {
            return m * p;
        }
    }
    10.0 * p
}

fn traces(ui: &mut egui::Ui, doc: &mut Document, duration: f64) {
    let (rect, resp) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Traces"));
    let resp =
        resp.on_hover_text_at_pointer("Traces: click to select a channel, Ctrl+wheel to zoom time");
    let vis = ui.visuals().clone();
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, vis.extreme_bg_color);
    let plot = Rect::from_min_max(
        Pos2::new(rect.left() + LABEL_WIDTH, rect.top()),
        Pos2::new(rect.right() - 4.0, rect.bottom() - AXIS_HEIGHT),
    );
    if plot.width() < 10.0 || plot.height() < 10.0 {
        return;
    }
    let (t0, page) = (doc.browser.t0, doc.browser.page);

    // Zoom (Ctrl+wheel) around the pointer; plain wheel scrolls time.
    if resp.hovered() {
        let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta));
        let anchor = resp
            .hover_pos()
            .map(|p| t0 + ((p.x - plot.left()) / plot.width()).clamp(0.0, 1.0) as f64 * page)
            .unwrap_or(t0 + 0.5 * page);
        let over_labels = resp.hover_pos().is_some_and(|p| p.x < plot.left());
        if (zoom - 1.0).abs() > 1e-4 {
            doc.browser.zoom(1.0 / zoom as f64, anchor, duration);
        } else if over_labels && scroll.y.abs() > 0.0 {
            // The wheel over the labels scrolls through the channels.
            let v = &mut doc.browser;
            v.row_scroll -= scroll.y;
            let rows = (v.row_scroll / MIN_LANE).trunc();
            v.row_scroll -= rows * MIN_LANE;
            v.first_row = (v.first_row as isize + rows as isize).max(0) as usize;
        } else if scroll.x.abs() > 0.0 || scroll.y.abs() > 0.0 {
            let d = if scroll.x.abs() > scroll.y.abs() {
                scroll.x
            } else {
                scroll.y
            };
            doc.browser
                .scroll_pages(-(d / plot.width()) as f64, duration);
        }
    }
    let (t0, page) = (doc.browser.t0, doc.browser.page);
    let x_of_now = |t: f64| plot.left() + ((t - t0) / page) as f32 * plot.width();

    // Time grid and axis labels (elapsed or clock time, gaps included).
    let tl = doc.timeline.clone();
    let clock = doc.browser.clock;
    let label_width = if clock { 80.0 } else { 60.0 };
    let step = nice_step(page / (plot.width() / label_width).clamp(2.0, 10.0) as f64);
    let mut t = (t0 / step).ceil() * step;
    while t <= t0 + page + 1e-9 {
        let x = x_of_now(t);
        painter.line_segment(
            [Pos2::new(x, plot.top()), Pos2::new(x, plot.bottom())],
            vis.widgets.noninteractive.bg_stroke,
        );
        if x + 20.0 > plot.right() {
            t += step;
            continue;
        }
        painter.text(
            Pos2::new(x, plot.bottom() + 2.0),
            egui::Align2::CENTER_TOP,
            tl.label(t, clock),
            egui::FontId::proportional(11.0),
            vis.weak_text_color(),
        );
        t += step;
    }

    // Gaps (EDF+D): a break in the trace where recording stopped, with its length.
    for g in tl.gaps_in(t0, t0 + page) {
        let x = x_of_now(g.sample_time);
        painter.rect_filled(
            Rect::from_x_y_ranges(x - 2.0..=x + 2.0, plot.y_range()),
            0.0,
            GAP_COLOR.gamma_multiply(0.8),
        );
        painter.text(
            Pos2::new(x + 4.0, plot.bottom() - 14.0),
            egui::Align2::LEFT_BOTTOM,
            format!("gap {}", format_time(g.duration)),
            egui::FontId::proportional(11.0),
            GAP_COLOR,
        );
    }

    // Annotations overlapping the page, placed by their wall-clock onset, as spans (or
    // lines when instantaneous); their texts in up to three rows so they do not overlap
    // (a text with no room in any row is left out; its span or line is still drawn).
    let text_color = Color32::from_rgb(200, 130, 20);
    let on_page = page_annotations(&tl, doc.recording.annotations(), t0, t0 + page);
    let galleys: Vec<_> = on_page
        .iter()
        .map(|(_, _, a)| {
            painter.layout_no_wrap(a.text.clone(), egui::FontId::proportional(11.0), text_color)
        })
        .collect();
    let spans: Vec<(f32, f32)> = on_page
        .iter()
        .zip(&galleys)
        .map(|((start, _, _), g)| (x_of_now(*start).max(plot.left()) + 2.0, g.size().x))
        .collect();
    let label_rows = annotation_rows(&spans, 3, 6.0);
    for (((start, end, _), galley), row) in on_page.into_iter().zip(galleys).zip(label_rows) {
        let x0 = x_of_now(start).max(plot.left());
        let x1 = x_of_now(end).min(plot.right());
        let color = Color32::from_rgba_unmultiplied(230, 160, 40, 40);
        if x1 - x0 >= 2.0 {
            painter.rect_filled(Rect::from_x_y_ranges(x0..=x1, plot.y_range()), 0.0, color);
        } else {
            painter.line_segment(
                [Pos2::new(x0, plot.top()), Pos2::new(x0, plot.bottom())],
                Stroke::new(1.5, Color32::from_rgb(230, 160, 40)),
            );
        }
        if let Some(row) = row {
            painter.galley(
                Pos2::new(x0 + 2.0, plot.top() + 1.0 + 13.0 * row as f32),
                galley,
                text_color,
            );
        }
    }

    // Traces.
    let ppp = ui.ctx().pixels_per_point();
    let width_px = ((plot.width() * ppp).round() as usize).max(1);
    let remove_dc = doc.browser.remove_dc;
    let (fit_now, fit_on_open) = (doc.browser.fit_now, doc.browser.fit_on_open);
    let mut uv_per_div = doc.browser.uv_per_div;
    let (rows_per_page, mut first_row, reveal) = (
        doc.browser.rows_per_page,
        doc.browser.first_row,
        doc.browser.reveal_selected,
    );
    let selected = doc.browser.selected;
    let mut measure = doc.browser.measure;
    let plain_meta: Vec<RowMeta> = if doc.display.is_plain() {
        let signals = doc.recording.signals();
        doc.visible_channels()
            .map(|c| RowMeta {
                label: signals
                    .get(c.signal)
                    .map(|s| s.label.clone())
                    .unwrap_or_default(),
                signal: Some(c.signal),
                bad: c.bad,
                gain: c.gain,
            })
            .collect()
    } else {
        Vec::new()
    };
    let (metas, traces): (&[RowMeta], &[RowTrace]) = if doc.display.is_plain() {
        (
            plain_meta.as_slice(),
            doc.traces(width_px).traces.as_slice(),
        )
    } else {
        montage::derived_traces(doc, width_px)
    };
    let mut fitted = None;
    if fit_now || fit_on_open {
        if let Some(s) = fitted_sensitivity(traces.iter().filter_map(|(_, t, _)| t.as_ref().ok())) {
            let far_off = s > 2.5 * uv_per_div || s < 0.1 * uv_per_div;
            if fit_now || far_off {
                uv_per_div = s;
            }
            fitted = Some(uv_per_div);
        }
    }
    let total = traces.len();
    let rows = match rows_per_page {
        Some(0) => total,
        Some(n) => n,
        None => (plot.height() / MIN_LANE).floor() as usize,
    }
    .clamp(1, total.max(1));
    if reveal {
        if let Some(k) = traces.iter().position(|(s, _, _)| selected == Some(*s)) {
            if k < first_row {
                first_row = k;
            } else if k >= first_row + rows {
                first_row = k + 1 - rows;
            }
        }
    }
    first_row = first_row.min(total.saturating_sub(rows));
    let lane = plot.height() / rows as f32;
    let mut clicked_signal = None;
    let pointer = resp.interact_pointer_pos();
    let mut shapes = Vec::with_capacity(traces.len() * 2);
    let mut geometry: Vec<RowGeometry> = Vec::with_capacity(rows);
    for (k, (signal, trace, mean)) in traces.iter().enumerate().skip(first_row).take(rows) {
        let meta = metas.get(k);
        let row = k - first_row;
        let (gain, bad) = meta.map(|m| (m.gain, m.bad)).unwrap_or((1.0, false));
        let centre = plot.top() + lane * (row as f32 + 0.5);
        let scale = lane / uv_per_div * gain;
        let offset = if remove_dc { *mean } else { 0.0 };
        geometry.push(RowGeometry {
            row: k,
            centre,
            scale,
            offset,
        });
        let y_of = |v: f32| centre - (v - offset) * scale;
        let is_sel = selected == Some(*signal);
        let color = if bad {
            Color32::from_rgb(190, 90, 90).gamma_multiply(0.6)
        } else if is_sel {
            vis.selection.stroke.color
        } else {
            vis.text_color()
        };
        let stroke = Stroke::new(if is_sel { 1.4 } else { 1.0 }, color);
        let label_rect = Rect::from_min_max(
            Pos2::new(rect.left(), centre - lane * 0.5),
            Pos2::new(plot.left(), centre + lane * 0.5),
        );
        if is_sel {
            painter.rect_filled(label_rect, 0.0, vis.selection.bg_fill.gamma_multiply(0.5));
        }
        let label = meta.map(|m| m.label.as_str()).unwrap_or("?");
        painter.text(
            Pos2::new(rect.left() + 4.0, centre),
            egui::Align2::LEFT_CENTER,
            if bad {
                format!("{label} (bad)")
            } else {
                label.to_string()
            },
            egui::FontId::proportional(lane.clamp(8.0, 13.0)),
            color,
        );
        if let Some(p) = pointer {
            if resp.clicked() && p.y >= centre - lane * 0.5 && p.y < centre + lane * 0.5 {
                clicked_signal = meta.and_then(|m| m.signal);
            }
        }
        match trace {
            Ok(Trace::Envelope { columns }) => {
                let thickness = if is_sel { 2.0 } else { 1.0 };
                shapes.push(Shape::mesh(envelope_mesh(
                    columns,
                    plot.left(),
                    ppp,
                    thickness,
                    color,
                    &y_of,
                )));
            }
            Ok(Trace::Samples { t0: s0, dt, values }) => {
                let pts: Vec<Pos2> = values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, &v)| Pos2::new(x_of_now(s0 + i as f64 * dt), y_of(v)))
                    .collect();
                if pts.len() > 1 {
                    shapes.push(Shape::line(pts, stroke));
                }
            }
            Err(e) => {
                painter.text(
                    Pos2::new(plot.left() + 4.0, centre),
                    egui::Align2::LEFT_CENTER,
                    e,
                    egui::FontId::proportional(11.0),
                    vis.error_fg_color,
                );
            }
        }
    }
    // Traces stay inside the plot: a large deflection never covers the time axis or
    // the labels.
    painter.with_clip_rect(plot).extend(shapes);

    // Crosshair measurement: a drag from one point to another gives Δt and Δamplitude
    // (on the scale of the channel where the drag started); a click clears it.
    let time_at = |x: f32| t0 + ((x - plot.left()) / plot.width()).clamp(0.0, 1.0) as f64 * page;
    if resp.drag_started_by(egui::PointerButton::Primary) {
        let origin = ui.input(|i| i.pointer.press_origin());
        measure = origin.filter(|p| plot.contains(*p)).and_then(|p| {
            let g = geometry
                .iter()
                .find(|g| (p.y - g.centre).abs() <= 0.5 * lane)?;
            let a = (time_at(p.x), g.value_at(p.y));
            Some(Measurement {
                row: g.row,
                a,
                b: a,
            })
        });
    }
    if resp.dragged_by(egui::PointerButton::Primary) {
        if let (Some(m), Some(p)) = (measure.as_mut(), resp.interact_pointer_pos()) {
            if let Some(g) = geometry.iter().find(|g| g.row == m.row) {
                m.b = (
                    time_at(p.x),
                    g.value_at(p.y.clamp(plot.top(), plot.bottom())),
                );
            }
        }
    } else if resp.clicked() {
        measure = None;
    }
    if let Some(m) = measure {
        if let Some(g) = geometry.iter().find(|g| g.row == m.row) {
            let at = |(t, v): (f64, f64)| Pos2::new(x_of_now(t), g.y_of(v));
            let (a, b) = (at(m.a), at(m.b));
            let clipped = painter.with_clip_rect(plot);
            let s = Stroke::new(1.0, vis.warn_fg_color);
            for p in [a, b] {
                clipped.line_segment(
                    [Pos2::new(p.x, plot.top()), Pos2::new(p.x, plot.bottom())],
                    s,
                );
                clipped.line_segment(
                    [Pos2::new(plot.left(), p.y), Pos2::new(plot.right(), p.y)],
                    s,
                );
            }
            clipped.line_segment([a, b], Stroke::new(1.5, vis.warn_fg_color));
            // The readout as a label (so assistive technology reads it too), beside the
            // end point and inside the plot.
            let text = egui::RichText::new(m.text())
                .color(vis.warn_fg_color)
                .monospace();
            let font = egui::TextStyle::Monospace.resolve(ui.style());
            let size = painter
                .layout_no_wrap(m.text(), font, vis.warn_fg_color)
                .size()
                + Vec2::new(8.0, 4.0);
            let x = (b.x + 8.0).min(plot.right() - size.x).max(plot.left());
            let y =
                (b.y - size.y - 4.0).clamp(plot.top(), (plot.bottom() - size.y).max(plot.top()));
            let r = Rect::from_min_size(Pos2::new(x, y), size);
            painter.rect_filled(r, 3.0, vis.extreme_bg_color.gamma_multiply(0.85));
            ui.put(r, egui::Label::new(text).selectable(false));
        }
    }

    // Scale bar: one channel spacing = uv_per_div µV.
    if lane > 6.0 {
        let x = plot.right() - 12.0;
        let y1 = plot.bottom() - 6.0;
        let y0 = y1 - lane;
        let s = Stroke::new(2.0, vis.strong_text_color());
        painter.line_segment([Pos2::new(x, y0), Pos2::new(x, y1)], s);
        painter.line_segment([Pos2::new(x - 4.0, y0), Pos2::new(x + 4.0, y0)], s);
        painter.line_segment([Pos2::new(x - 4.0, y1), Pos2::new(x + 4.0, y1)], s);
        painter.text(
            Pos2::new(x - 6.0, 0.5 * (y0 + y1)),
            egui::Align2::RIGHT_CENTER,
            format!("{} µV", trim_float(uv_per_div as f64)),
            egui::FontId::proportional(11.0),
            vis.strong_text_color(),
        );
    }
    // Time and channel under the pointer.
    if let Some(p) = resp.hover_pos() {
        if plot.contains(p) {
            let t = t0 + ((p.x - plot.left()) / plot.width()) as f64 * page;
            let k = first_row + ((p.y - plot.top()) / lane).floor() as usize;
            let name = metas.get(k).map(|m| m.label.clone()).unwrap_or_default();
            painter.text(
                Pos2::new(plot.left() + 4.0, plot.bottom() - 2.0),
                egui::Align2::LEFT_BOTTOM,
                format!("{}  {name}", tl.label(t, clock)),
                egui::FontId::monospace(11.0),
                vis.strong_text_color(),
            );
        }
    }
    if let Some(s) = clicked_signal {
        doc.browser.selected = if selected == Some(s) { None } else { Some(s) };
    }
    doc.browser.first_row = first_row;
    doc.browser.measure = measure;
    doc.browser.rows_shown = (rows.min(total), total);
    doc.browser.reveal_selected = false;
    if let Some(s) = fitted {
        doc.browser.uv_per_div = s;
        doc.browser.fit_now = false;
        doc.browser.fit_on_open = false;
    }
}

/// The text row (0 at the top) of each annotation label, given each label's left
/// edge and width (points, in page order): the first of `rows` rows where it starts at
/// least `gap` after the previous label ends; `None` when every row is taken there (the
/// label is not drawn, so labels never overlap).
pub fn annotation_rows(labels: &[(f32, f32)], rows: usize, gap: f32) -> Vec<Option<usize>> {
    let mut ends = vec![f32::NEG_INFINITY; rows];
    labels
        .iter()
        .map(|&(x, width)| {
            let row = ends.iter().position(|&e| e + gap <= x)?;
            ends[row] = x + width;
            Some(row)
        })
        .collect()
}

/// Where a channel row is drawn this frame: its index among the traces, the y of its
/// zero line (points), points per µV and the offset (µV) subtracted before drawing.
struct RowGeometry {
    row: usize,
    centre: f32,
    scale: f32,
    offset: f32,
}

impl RowGeometry {
    /// The amplitude, µV, drawn at height `y`.
    fn value_at(&self, y: f32) -> f64 {
        if self.scale.abs() > f32::EPSILON {
            (self.offset + (self.centre - y) / self.scale) as f64
        } else {
            f64::NAN
        }
    }

    /// The height at which amplitude `v` (µV) is drawn.
    fn y_of(&self, v: f64) -> f32 {
        self.centre - (v as f32 - self.offset) * self.scale
    }
}

/// Spread of a drawn trace: the 5th to 95th percentile of its values (envelope
/// columns contribute their minimum and maximum), µV; `None` when nothing is drawn.
pub fn trace_spread(trace: &Trace) -> Option<f32> {
    let mut v: Vec<f32> = match trace {
        Trace::Samples { values, .. } => values.iter().copied().filter(|x| x.is_finite()).collect(),
        Trace::Envelope { columns } => columns
            .iter()
            .flatten()
            .flat_map(|&(lo, hi)| [lo, hi])
            .filter(|x| x.is_finite())
            .collect(),
    };
    if v.len() < 2 {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f32| v[((v.len() - 1) as f32 * q).round() as usize];
    Some(at(0.95) - at(0.05))
}

/// The sensitivity that fits a page: the smallest offered one at least two thirds of
/// the median spread of the traces (so a typical trace spans about one to one and a
/// half channel spacings, as on a clinical page); `None` without drawn traces.
pub fn fitted_sensitivity<'a>(traces: impl Iterator<Item = &'a Trace>) -> Option<f32> {
    let mut spreads: Vec<f32> = traces
        .filter_map(trace_spread)
        .filter(|s| s.is_finite() && *s > 0.0)
        .collect();
    if spreads.is_empty() {
        return None;
    }
    spreads.sort_by(|a, b| a.total_cmp(b));
    let median = spreads[spreads.len() / 2];
    let want = median / 1.5;
    Some(
        SENSITIVITIES
            .iter()
            .copied()
            .find(|&s| s >= want)
            .unwrap_or(SENSITIVITIES[SENSITIVITIES.len() - 1]),
    )
}

/// Colour of gap marks.
const GAP_COLOR: Color32 = Color32::from_rgb(220, 60, 60);

/// The annotations that overlap sample times `[t0, t1]`, each with its start and end
/// in sample time (its wall-clock onset and end mapped through the gaps).
pub fn page_annotations<'a>(
    tl: &super::timeline::Timeline,
    annotations: &'a [sesame_core::recording::Annotation],
    t0: f64,
    t1: f64,
) -> Vec<(f64, f64, &'a sesame_core::recording::Annotation)> {
    annotations
        .iter()
        .filter_map(|a| {
            let start = tl.sample(a.onset);
            let end = tl.sample(a.onset + a.duration.unwrap_or(0.0)).max(start);
            (end >= t0 && start <= t1).then_some((start, end, a))
        })
        .collect()
}

/// The envelope as one mesh of vertical bars, one physical pixel wide per column
/// (`thickness` pixels for emphasis), each bar stretched to meet its neighbour's range
/// so the trace is continuous. Meshes need no tessellation, unlike long polylines,
/// which keeps a 64-channel page within a frame budget.
fn envelope_mesh(
    columns: &[Option<(f32, f32)>],
    left: f32,
    ppp: f32,
    thickness: f32,
    color: Color32,
    y_of: &dyn Fn(f32) -> f32,
) -> egui::Mesh {
    let mut mesh = egui::Mesh::default();
    mesh.reserve_triangles(columns.len() * 2);
    mesh.reserve_vertices(columns.len() * 4);
    let half_px = 0.5 * thickness.max(1.0) / ppp;
    let mut prev: Option<(f32, f32)> = None;
    for (c, col) in columns.iter().enumerate() {
        let Some((lo, hi)) = *col else {
            prev = None;
            continue;
        };
        let (mut a, mut b) = (lo, hi);
        if let Some((plo, phi)) = prev {
            a = a.min(phi);
            b = b.max(plo);
        }
        prev = Some((lo, hi));
        let x = left + (c as f32 + 0.5) / ppp;
        // Screen y grows downwards: the maximum is the top of the bar.
        let (top, bottom) = (y_of(b), y_of(a));
        let rect = Rect::from_min_max(
            Pos2::new(x - half_px, top.min(bottom) - 0.5 / ppp),
            Pos2::new(x + half_px, top.max(bottom) + 0.5 / ppp),
        );
        mesh.add_colored_rect(rect, color);
    }
    mesh
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_bars_meet_their_neighbours() {
        // Column 1 lies wholly above column 0: its bar reaches down to column 0's top.
        let cols = [Some((0.0, 1.0)), Some((5.0, 6.0)), None, Some((2.0, 3.0))];
        let m = envelope_mesh(&cols, 0.0, 1.0, 1.0, Color32::WHITE, &|v| -v);
        assert_eq!(m.vertices.len(), 12, "3 bars, the empty column skipped");
        let span = |k: usize| {
            let ys: Vec<f32> = m.vertices[4 * k..4 * k + 4]
                .iter()
                .map(|v| v.pos.y)
                .collect();
            (
                ys.iter().copied().fold(f32::INFINITY, f32::min),
                ys.iter().copied().fold(f32::NEG_INFINITY, f32::max),
            )
        };
        assert_eq!(span(0), (-1.5, 0.5));
        assert_eq!(span(1), (-6.5, -0.5), "stretched down to 1.0");
        assert_eq!(span(2), (-3.5, -1.5), "after a gap, no stretch");
    }

    #[test]
    fn sensitivity_steps_through_the_list_and_stops_at_the_ends() {
        assert_eq!(step_sensitivity(100.0, -1), 70.0);
        assert_eq!(step_sensitivity(100.0, 1), 150.0);
        assert_eq!(step_sensitivity(5.0, -1), 5.0);
        assert_eq!(step_sensitivity(5000.0, 1), 5000.0);
        assert_eq!(step_sensitivity(120.0, -1), 100.0);
    }

    #[test]
    fn annotation_labels_never_overlap() {
        // Five labels 50 points wide, 10 points apart: three rows, then the fourth
        // fits in row 0 again once the first has ended; the fifth finds no room.
        let labels = [
            (0.0, 50.0),
            (10.0, 50.0),
            (20.0, 50.0),
            (60.0, 50.0),
            (65.0, 50.0),
        ];
        let rows = annotation_rows(&labels, 3, 6.0);
        assert_eq!(rows, [Some(0), Some(1), Some(2), Some(0), None]);
        // Whatever the input, no two drawn labels in a row overlap.
        let many: Vec<(f32, f32)> = (0..200)
            .map(|i| {
                (
                    (i * 7 % 97) as f32 * 3.0 + i as f32,
                    20.0 + (i * 13 % 40) as f32,
                )
            })
            .collect();
        let mut sorted = many.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let rows = annotation_rows(&sorted, 3, 6.0);
        for (i, (a, ra)) in sorted.iter().zip(&rows).enumerate() {
            for (b, rb) in sorted.iter().zip(&rows).skip(i + 1) {
                if ra.is_some() && ra == rb {
                    let (l, r) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                    assert!(
                        l.0 + l.1 + 6.0 <= r.0,
                        "{a:?} and {b:?} overlap in row {ra:?}"
                    );
                }
            }
        }
        assert!(rows.iter().filter(|r| r.is_some()).count() > 20);
    }

    #[test]
    fn nice_steps_are_round() {
        assert_eq!(nice_step(0.9), 1.0);
        assert_eq!(nice_step(1.5), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(45.0), 50.0);
    }
}
