"""Sample tickets about topics the bundled intents do not cover: what an audit should find as gaps."""

from __future__ import annotations

from examples.history.categories import Category

NEW_TOPICS = (
    Category(
        name="mobile_app_crash",
        count=30,
        judgment=True,
        subjects=(
            "App crashes on launch",
            "Android app keeps closing",
            "iOS app crash after update",
            "Mobile app not opening",
            "App freezes when opening a task",
            "Crash on {device}",
        ),
        quick=(),
        asks=(
            "Since updating to {app_version} the app crashes as soon as I open it on my {device}.",
            "The Android app closes every time I open a task that has attachments. The web version is fine.",
            "On iOS the app opens, shows the splash screen for a second and then quits. I've reinstalled twice.",
            "Whenever I try to add a photo from the camera to a task, the app freezes and then crashes.",
            "Half of our field team can't use the app any more after this week's update. They're all on Android.",
            "The app crashes when I switch between workspaces. I'm a member of three.",
            "Since the update the app crashes when I open the calendar view on my tablet.",
            "The iPad app closes whenever I rotate the screen while a task is open.",
            "Our technicians rely on the phone app on site and it has been crashing all morning.",
        ),
        details=(
            "Phone is a {device} on {os}.",
            "App version {app_version}.",
            "Clearing the cache didn't change anything.",
            "I shook the phone to report it but the report screen crashes too.",
            "It worked fine last week.",
            "Around {count} of our people have the same phone model.",
        ),
        tags=("mobile", "crash"),
        replies=(
            "Thanks for letting us know, {first}, and sorry the app is letting you down.",
            "Hi {first}, thanks for reporting this.",
            "Sorry about the crashes, {first}. Here's where we are.",
            "Thanks for your patience, {first}; our mobile team has been on this since this morning.",
        ),
        reply_middles=(
            "Version {app_version} has a crash on start-up for {os} devices with a large number of offline tasks. A fix "
            "({app_fix}) is in review with the app store now.",
            "We traced it to attachment previews on Android 14; the app runs out of memory decoding large images. Until the "
            "fix ships, turning off Settings > Mobile > Image previews in the app avoids the crash.",
            "The crash when switching workspaces comes from a cached session for a workspace you were removed from. "
            "Signing out, then back in, clears it.",
            "I couldn't reproduce this on our test {device}, so I've asked the mobile team to pull the crash logs for your "
            "account. If you can, please tell me the exact time of the next crash.",
            "The tablet calendar crash is a known issue in {app_version} and is fixed in {app_fix}, which should reach you "
            "over the next day as the rollout finishes.",
            "Rotating the iPad with a task open crashes the app on iPadOS 17 only; engineering has a fix scheduled for the "
            "next release. Locking rotation is a workaround for now.",
        ),
        reply_closers=(
            "I'll let you know here as soon as the update is live.",
            "In the meantime the web app at app.orbitask.com works on mobile browsers.",
            "Please update from the App Store or Google Play once {app_fix} appears and let me know if it's resolved.",
            "Thanks again for reporting it; it made a real difference to how quickly we found the cause.",
        ),
        answers=(0, 1, 3, 1, 0, 2, 4, 5, 0),
        no_reply=0.05,
    ),
    Category(
        name="data_import",
        count=25,
        judgment=False,
        subjects=(
            "Import from Trello",
            "Importing tasks from CSV",
            "Migrating from Asana",
            "Jira import stuck",
            "CSV import errors",
            "Moving our boards over",
        ),
        quick=(
            "can we import our trello boards?",
            "csv import says row 12 invalid date, which format do you want",
            "jira importer stuck at 60% for hours",
            "how do i bring tasks over from asana",
        ),
        asks=(
            "We're moving from {tool} and have about {count} cards across a dozen boards. What's the best way to bring them in?",
            "Our CSV import fails with 'invalid date' on some rows. What date format does the importer expect?",
            "The Jira import has been stuck on 'Processing' since yesterday afternoon.",
            "Is there a way to keep the comments and attachments when we import from {tool}?",
            "After importing, all the tasks are assigned to me instead of the original people. Can that be fixed?",
            "Can I map our existing labels to custom fields during the import?",
            "We imported a spreadsheet by mistake into the wrong project. Can the import be undone?",
            "Do imported tasks keep their original created dates, or does everything get today's date?",
        ),
        details=(
            "The export from {tool} is a JSON file of about 40 MB.",
            "We'd like to switch over before the {tool} renewal next month.",
            "Dates in the sheet are in DD/MM/YYYY.",
            "The assignees have the same email addresses in both tools.",
        ),
        tags=("import", "migration", "onboarding"),
        replies=(
            "Thanks for choosing Orbitask for the move! Settings > Import has two importers: Jira, and CSV for everything "
            "else. From Trello or Asana, export your boards to CSV there and import the file here; the mapping screen "
            "lets you send columns to fields, including custom fields. Dates should be YYYY-MM-DD. Assignees are matched "
            "by email, so invite your team before importing, otherwise tasks are assigned to whoever runs the import.\n\n"
            "The Jira importer keeps comments and attachments; a CSV import can't. You'll get an email when an import "
            "finishes, and Settings > Import > History lets you undo one within 7 days. Imports don't trigger automations.",
            "Happy to help with your migration. There are two importers under Settings > Import: one for Jira and one for "
            "CSV files, which is also the way in from Trello, Asana or a spreadsheet (export to CSV there first). Invite "
            "your teammates before you import: assignees are matched by email address. CSV dates must be YYYY-MM-DD.\n\n"
            "Comments and attachments come across from Jira only. We email you when the import is done, and an import can "
            "be undone from Settings > Import > History for 7 days.",
        ),
        plans=(0.45, 0.3, 0.18, 0.07),
    ),
    Category(
        name="restore_deleted",
        count=22,
        judgment=False,
        subjects=(
            "Accidentally deleted a project",
            "Restore deleted task",
            "Recover deleted data",
            "Undo delete?",
            "Tasks disappeared",
            "Deleted the wrong board",
        ),
        quick=(
            "i deleted a task by mistake, can i get it back",
            "is there a trash or recycle bin somewhere",
            "a whole project vanished, did someone delete it?",
            "undo delete on a column??",
        ),
        asks=(
            "I deleted our Q4 Campaign project by accident this morning. Is there any way to get it back?",
            "One of our members deleted a column on the board and all the tasks in it are gone. Can they be restored?",
            "About {count} tasks disappeared from our Website Redesign project overnight. Nobody admits to deleting them.",
            "Is there a recycle bin for deleted tasks, and how long do things stay there?",
            "I removed an attachment from a task and now realise we don't have another copy. Can you recover it?",
            "We deleted a project two months ago and now the client needs something from it. Do you keep backups?",
            "Can I see who deleted a task? We have a disagreement in the team about what happened.",
        ),
        details=(
            "It was deleted around {time} today.",
            "The project had about {count} tasks and lots of comments.",
            "We're quite panicked, the client review is tomorrow.",
            "I'm an admin in the workspace.",
        ),
        tags=("data_recovery", "trash"),
        replies=(
            "Don't worry, deleted items can usually be brought back! Deleted tasks, columns and projects stay in the "
            "trash for 30 days: open the project and go to ... > Trash (for a whole project, Settings > Trash), then "
            "click Restore. Restoring brings back comments, attachments and subtasks too. The project's Activity log "
            "shows who deleted what and when.\n\nAfter 30 days items are deleted permanently, and we can't restore "
            "single projects from our backups, so it's worth checking the trash soon.",
        ),
    ),
    Category(
        name="security_review",
        count=20,
        judgment=True,
        subjects=(
            "Security questionnaire",
            "DPA request",
            "SOC 2 report",
            "Vendor security review",
            "GDPR - data processing",
            "Sub-processor list",
            "Penetration test results",
        ),
        quick=(),
        asks=(
            "Our procurement team needs a signed Data Processing Agreement before we can roll Orbitask out company-wide.",
            "Attached is our vendor security questionnaire (about 120 questions). Could your security team fill it in?",
            "Could you share your latest SOC 2 Type II report? We're happy to sign an NDA.",
            "Where is our data hosted, and can we choose an EU region?",
            "We need your list of sub-processors and how you notify customers about changes to it.",
            "Do you have a recent penetration test summary we can share with our CISO?",
            "Is data encrypted at rest, and who at Orbitask can access our workspace content?",
            "Our legal team has redlines on your standard DPA. Who should they send them to?",
        ),
        details=(
            "We're a healthcare provider, so this is mandatory for us.",
            "Our review deadline is the end of the month.",
            "We're evaluating Orbitask for about {seats} users.",
            "Our CISO would also like a short call with your security team.",
        ),
        tags=("security", "compliance", "legal"),
        replies=(
            "Thanks for including us in your review, {first}.",
            "Hi {first}, thanks for sending this over.",
            "Thank you for the questionnaire, {first}; our security team has been through it.",
        ),
        reply_middles=(
            "Our standard DPA is ready to sign; I've sent it to you through our e-signature tool. It includes the EU "
            "Standard Contractual Clauses.",
            "The SOC 2 Type II report covers the period to the end of September. I've shared it through our trust portal "
            "after you accept the NDA there.",
            "We've completed the questionnaire; a few answers refer to documents in the trust portal, which I've given "
            "you access to.",
            "Workspaces are hosted in AWS eu-central-1 or us-east-1, chosen when the workspace is created. Moving an "
            "existing workspace to the EU region is possible on Enterprise; your account manager can plan it.",
            "The current sub-processor list is in the trust portal. We notify the Owner by email 30 days before adding one.",
            "Data is encrypted at rest with AES-256 and in transit with TLS 1.2+. Access by our staff requires a support "
            "ticket and is logged; Enterprise customers can see those logs.",
            "Please send the redlines to legal@orbitask.com; our legal team usually responds within 5 business days.",
            "An external firm ran our latest penetration test in August; its executive summary is in the trust portal, "
            "which I've given you access to.",
        ),
        answers=(0, 2, 1, 3, 4, 7, 5, 6),
        reply_closers=(
            "Happy to set up a call with our security lead if your CISO has follow-up questions.",
            "Let me know if your procurement team needs anything else.",
            "I'll chase the remaining items with our legal team and get back to you this week.",
        ),
        plans=(0.05, 0.15, 0.35, 0.45),
        team="accounts",
        no_reply=0.0,
    ),
    Category(
        name="slack_integration",
        count=18,
        judgment=False,
        subjects=(
            "Slack notifications stopped",
            "Connect Slack",
            "Slack channel not receiving updates",
            "Slack integration",
            "Post task updates to Slack",
        ),
        quick=("slack messages from orbitask stopped yesterday", "how do I send task updates to a slack channel"),
        asks=(
            "Our #design-requests channel stopped receiving Orbitask updates on Monday.",
            "How do I connect Slack so new tasks in a project are posted to a channel?",
            "Can people create Orbitask tasks from a Slack message?",
            "We renamed a Slack channel and the integration stopped posting there.",
            "The Slack app asks to reconnect every few days. Is that normal?",
            "Is it possible to send updates from a private project to a private Slack channel?",
        ),
        details=("We use Slack Enterprise Grid.", "Our Slack admin reinstalled the app last week."),
        tags=("integrations", "slack"),
        replies=(
            "Thanks for getting in touch! An Owner or Admin connects Slack once under Settings > Integrations > Slack. "
            "Posting to a channel is then done with an automation rule in the project: Automations > New rule, pick a "
            "trigger (for example Task created) and add the Send Slack message action with the channel. Private channels "
            "need the Orbitask app invited first (/invite @Orbitask).\n\nIf messages stopped, the channel was usually "
            "renamed or archived, or the Slack app was reinstalled: reconnect under Settings > Integrations > Slack and "
            "choose the channel again in the rule. Creating tasks from Slack messages isn't possible yet; I've noted "
            "your interest for the product team.",
        ),
        plans=(0.15, 0.45, 0.3, 0.1),
    ),
    Category(
        name="account_deletion",
        count=18,
        judgment=False,
        subjects=(
            "Delete my account",
            "GDPR erasure request",
            "Remove my personal data",
            "Close account permanently",
            "Delete workspace and data",
        ),
        quick=("please delete my account and all my data", "how do i delete my personal account"),
        asks=(
            "I'd like my Orbitask account and all personal data deleted under GDPR Article 17.",
            "I signed up for a trial months ago and never used it. Please close the account and delete my details.",
            "I left my old job but my account is still in their workspace. How do I delete my own account?",
            "Please confirm which data you hold about me and then erase it.",
            "We've cancelled and would now like the whole workspace and everything in it permanently deleted.",
            "How long after I delete my account is the data actually gone from backups?",
        ),
        details=("My email is {first_lower}.{last_lower}@{domain}.", "Please confirm by email once done."),
        tags=("privacy", "gdpr", "account"),
        replies=(
            "Thanks for your request. You can delete your personal account yourself under Account settings > Privacy > "
            "Delete my account; it removes your profile and personal data, while content you created in a company "
            'workspace stays there as "Former user". If you\'re the Owner of a workspace, transfer ownership or delete '
            "the workspace first (Settings > General > Delete workspace; it can be restored for 30 days).\n\nDeleted data "
            "is removed from backups within 35 days. If you'd rather we do it for you, reply from the account's email "
            "address to confirm and we'll process it within 30 days, as GDPR requires.",
        ),
        plans=(0.6, 0.25, 0.1, 0.05),
        team="accounts",
    ),
    Category(
        name="partnership",
        count=16,
        judgment=True,
        subjects=(
            "Partnership inquiry",
            "Reseller program",
            "Agency partner program",
            "Integration partnership",
            "Affiliate program?",
            "Referral partnership",
        ),
        quick=(),
        asks=(
            "We're a consultancy that sets up project tools for mid-sized companies. Do you have a partner or reseller program?",
            "We build a time-tracking product and would like to list an integration in your marketplace.",
            "Is there an affiliate program for bloggers? I write about productivity tools.",
            "We manage Orbitask for about 15 client companies. Can we get a partner dashboard and consolidated billing?",
            "We'd like to resell Orbitask in the Nordic market. Who should we talk to?",
        ),
        details=(
            "We've been recommending Orbitask for a couple of years already.",
            "Happy to share our client list under NDA.",
            "Our website is {domain}.",
        ),
        tags=("partners", "sales"),
        replies=(
            "Thanks for your interest in partnering with us, {first}!",
            "Hi {first}, thanks for reaching out about a partnership.",
            "Great to hear from you, {first}.",
        ),
        reply_middles=(
            "We run a partner program for agencies and consultancies, with a partner dashboard, consolidated billing for "
            "client workspaces and a 20% margin. I've passed your details to our partnerships team.",
            "Marketplace listings are handled by our platform team; they'll need a short description, your OAuth app's "
            "client ID and a test account. I've introduced you by email.",
            "We don't have an affiliate program at the moment, but we do have a referral scheme for customers; I've added "
            "you to the list for when an affiliate program launches.",
            "For reselling in a new region we work with a small number of distributors; our head of partnerships would "
            "like a call to understand your market.",
        ),
        reply_closers=(
            "Someone from the partnerships team will be in touch within a week.",
            "Feel free to reply here with any questions in the meantime.",
        ),
        answers=(0, 1, 2, 0, 3),
        plans=(0.0, 0.0, 0.0, 0.0),
        team="accounts",
        no_reply=0.1,
    ),
    Category(
        name="discount_request",
        count=15,
        judgment=False,
        subjects=(
            "Nonprofit discount",
            "Education pricing",
            "Startup discount?",
            "Discount for charities",
            "Student plan",
        ),
        quick=("do you offer a discount for non profits?", "is there student pricing"),
        asks=(
            "We're a registered charity with about {seats} volunteers. Do you offer nonprofit pricing?",
            "I teach a project management course at a university. Is there an education plan for my students?",
            "We're an early-stage startup. Do you have a startup program or discount for the first year?",
            "Can we get a discount if we pay three years upfront?",
            "Is there any special pricing for public schools?",
        ),
        details=("Our charity number is {code}.", "Budget is very tight for us this year."),
        tags=("sales", "pricing"),
        replies=(
            "Thanks for asking! We offer 50% off Team and Business for registered nonprofits and accredited schools and "
            "universities, and free Team plans for classes (students and teachers, one academic year at a time). To apply, "
            "reply with proof of status (a charity registration number or an institutional email address) and your "
            "workspace URL, and we'll apply the discount from your next invoice.\n\nWe don't currently run a startup "
            "program or multi-year prepayment discounts on self-serve plans; for larger teams our sales team can quote.",
        ),
        plans=(0.7, 0.2, 0.1, 0.0),
        team="billing",
    ),
    Category(
        name="spam",
        count=12,
        judgment=False,
        subjects=(
            "Boost your website ranking",
            "Partnership opportunity - guest post",
            "Quick question about your hiring",
            "Lead generation for Orbitask",
            "Re: Invoice #88231 overdue",
            "Your domain listing expires",
        ),
        quick=("Hi, do you need help with SEO? We guarantee page one on Google.",),
        asks=(
            "We noticed your website isn't ranking for key terms. Our agency can get you to the first page within 30 days.",
            "I'd love to contribute a guest post to your blog. Do you accept sponsored articles? Our rates are flexible.",
            "We provide verified B2B lead lists of IT decision makers. Would you like a free sample of 500 contacts?",
            "Please find attached your overdue invoice. Click the link to view the payment details.",
            "Hi, I'm a developer available for hire. I can build an app like yours for a fraction of the cost.",
            "Your domain listing is about to expire. Renew now to avoid losing your search engine position.",
        ),
        details=("Reply STOP to unsubscribe.", "This offer is only valid this week."),
        tags=("spam",),
        replies=("",),
        plans=(0.0, 0.0, 0.0, 0.0),
        no_reply=1.0,
    ),
)
